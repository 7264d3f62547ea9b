import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Clock, RouteRequest, RoutingPolicy, Rng } from '../../../policies/types.js';
import { errorBody } from '../engine/openai-response.js';
import { bearerCheck, closeServer, hostForUrl, listen, parseJsonBody, readBody, sendError, sendJson, trackSockets } from '../http-util.js';
import { INSTANCE_HEADER, REJECT_HEADER, connectionReason } from '../http-backend.js';
import { PROM_CONTENT_TYPE } from '../prometheus.js';
import { DEFAULT_HEALTH, UpstreamMonitor, type HealthOptions } from './monitor.js';
import { buildRouteRequest } from './route-request.js';
import { CALL_META_BODY_FIELDS, CALL_META_HEADERS } from '../call-meta-http.js';
import { LatencyHistograms, newRouterCounters, routerMetricsText, type RouterCounters } from './router-metrics.js';
import { Upstream, type InflightEntry, type UpstreamSpec } from './upstream.js';
import { ROUTER_DEFAULTS, RetryState, RouterCore, type RouterCoreOptions } from '../../../sim/router-core.js';
import { DEFAULT_WORKFLOW_STORE, WorkflowStore, type WorkflowStoreOptions } from './workflow-store.js';
import { handleWorkflowEndpoint } from './workflow-endpoints.js';

/** Options of the workflow-aware router. */
export interface RouterOptions {
  readonly upstreams: readonly UpstreamSpec[];
  /** Any policy from policies/routing, unchanged. */
  readonly policy: RoutingPolicy;
  readonly rng: Rng;
  /** Time for RouteRequest.nowUs (a WallClock; the live driver shares its scaled one). */
  readonly clock: Clock;
  /** Block size of the prompt hashes handed to the policy (the engines' KV block size). */
  readonly blockSize: number;
  readonly host?: string | undefined;
  readonly port?: number | undefined;
  /** Clients must send `Authorization: Bearer <key>` on /v1/*. */
  readonly apiKey?: string | undefined;
  readonly health?: Partial<HealthOptions> | undefined;
  /** Attempts, backoff and idle timeout: the simulated router's options (default ROUTER_DEFAULTS). */
  readonly router?: RouterCoreOptions | undefined;
  /** Backoff jitter draws (default: forked from `rng`). */
  readonly retryRng?: Rng | undefined;
  /** Remove workflow_metadata / workflow_id / agent_id from bodies before forwarding. */
  readonly stripWorkflowFields?: boolean | undefined;
  /** RouteRequest.maxTokens of a chat request without max_tokens (default 4096). */
  readonly defaultMaxTokens?: number | undefined;
  readonly workflowStore?: Partial<WorkflowStoreOptions> | undefined;
  /** `model` label of the router's metrics. */
  readonly modelLabel?: string | undefined;
}

/** A running router. */
export interface RouterServer {
  readonly url: string;
  readonly port: number;
  readonly upstreams: readonly Upstream[];
  readonly counters: RouterCounters;
  readonly workflows: WorkflowStore;
  readonly monitor: UpstreamMonitor;
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'te', 'trailer', 'host']);
const DATA_PREFIX = Buffer.from('data:');

function countEvents(chunk: Buffer): number {
  let n = 0;
  for (let i = chunk.indexOf(DATA_PREFIX); i >= 0; i = chunk.indexOf(DATA_PREFIX, i + 5)) n++;
  return n;
}

/**
 * Start the workflow-aware OpenAI-compatible router: a reverse proxy over a static list of
 * backends that asks a routing policy (the same object the simulator uses) where each request
 * goes, streams the answer back without buffering, re-sends a request to another backend when
 * the connection fails before any response, health-checks and scrapes the backends, serves the
 * agent-to-agent workflow endpoints, and exposes production-stack-compatible /metrics.
 */
export async function startRouterServer(opts: RouterOptions): Promise<RouterServer> {
  if (opts.upstreams.length === 0) throw new Error('router: at least one backend is required');
  const ids = new Set<string>();
  for (const u of opts.upstreams) {
    if (ids.has(u.id)) throw new Error(`router: duplicate backend id '${u.id}'`);
    ids.add(u.id);
  }
  const host = opts.host ?? '127.0.0.1';
  const ups = opts.upstreams.map((s) => new Upstream(s));
  const byId = new Map(ups.map((u) => [u.id, u]));
  const policy = opts.policy;
  const counters = newRouterCounters();
  const latency = new LatencyHistograms();
  const workflows = new WorkflowStore({ ...DEFAULT_WORKFLOW_STORE, ...opts.workflowStore });
  const monitor = new UpstreamMonitor(ups, { ...DEFAULT_HEALTH, ...opts.health }, (u) => policy.onInstanceDown?.(u.id));
  const core = new RouterCore(opts.rng, opts.retryRng ?? opts.rng.fork('router-retry'), opts.router ?? ROUTER_DEFAULTS);
  // undici's headers and body timeouts are idle timeouts, as the router core's is (0: none).
  const upstreamTimeoutMs = Number.isFinite(core.options.timeoutUs) ? core.options.timeoutUs / 1000 : 0;
  const authorized = bearerCheck(opts.apiKey);
  const model = opts.modelLabel ?? 'agentbench';
  const nowMs = (): number => performance.now();
  const sweep = setInterval(() => workflows.sweep(nowMs()), 5000);

  const server = createServer({ keepAliveTimeout: 30_000 }, (req, res) => {
    handle(req, res).catch((e: unknown) => sendError(res, (e as { status?: number }).status ?? 500, (e as Error).message));
  });
  const sockets = trackSockets(server);
  const port = await listen(server, opts.port ?? 0, host);
  monitor.start();

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0]!;
    if (req.method === 'GET' && path === '/health') {
      const healthy = ups.some((u) => u.healthy);
      sendJson(res, healthy ? 200 : 503, { status: healthy ? 'ok' : 'no healthy backend' });
      return;
    }
    if (req.method === 'GET' && path === '/metrics') {
      res.writeHead(200, { 'content-type': PROM_CONTENT_TYPE }).end(routerMetricsText({ upstreams: ups, counters, workflows, latency, model, nowMs: nowMs() }));
      return;
    }
    if (path.startsWith('/v1/') && !authorized(req)) {
      sendError(res, 401, 'Unauthorized');
      return;
    }
    if (path.startsWith('/v1/workflows/')) {
      await handleWorkflowEndpoint(req, res, path, workflows, nowMs());
      return;
    }
    if (req.method === 'GET' && path === '/v1/models') {
      await proxySimple(req, res, path);
      return;
    }
    if (req.method === 'POST' && (path === '/v1/completions' || path === '/v1/chat/completions' || path === '/v1/responses')) {
      const raw = await readBody(req);
      const body = parseJsonBody(raw, res);
      if (body === undefined) return;
      if (body === null || typeof body !== 'object' || Array.isArray(body)) {
        sendError(res, 400, 'request body must be a JSON object');
        return;
      }
      await forward(req, res, path, raw, body as Record<string, unknown>);
      return;
    }
    sendError(res, 404, `no route for ${req.method ?? '?'} ${path}`);
  }

  function forwardHeaders(h: IncomingHttpHeaders, u: Upstream, requestId: string): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(h)) {
      if (v === undefined || HOP_BY_HOP.has(k) || k === 'content-length' || k === 'authorization') continue;
      if (opts.stripWorkflowFields && (CALL_META_HEADERS as readonly string[]).includes(k) && k !== 'x-session-id') continue;
      out[k] = Array.isArray(v) ? v.join(', ') : v;
    }
    out['x-request-id'] = requestId;
    // The client's key is for this router when it has one; otherwise it is passed through.
    if (u.apiKey) out['authorization'] = `Bearer ${u.apiKey}`;
    else if (!opts.apiKey && typeof h.authorization === 'string') out['authorization'] = h.authorization;
    return out;
  }

  async function forward(req: IncomingMessage, res: ServerResponse, path: string, raw: Buffer, body: Record<string, unknown>): Promise<void> {
    counters.incoming++;
    const rid = typeof req.headers['x-request-id'] === 'string' && req.headers['x-request-id'] !== '' ? req.headers['x-request-id'] : randomUUID();
    const route = buildRouteRequest({
      id: rid, path, headers: req.headers, body, blockSize: opts.blockSize, defaultMaxTokens: opts.defaultMaxTokens ?? 4096, nowUs: opts.clock.nowUs(),
    });
    if ('error' in route) {
      sendError(res, 400, route.error);
      return;
    }
    let payload: Buffer | string = raw;
    if (opts.stripWorkflowFields && CALL_META_BODY_FIELDS.some((k) => k in body)) {
      const copy = { ...body };
      for (const k of CALL_META_BODY_FIELDS) delete copy[k];
      payload = JSON.stringify(copy);
    }
    let clientGone = false;
    res.once('close', () => {
      clientGone = true;
    });
    const state = new RetryState();
    const failures: string[] = [];
    let lastTried = '';
    while (!clientGone) {
      for (const u of ups) u.refresh();
      const step = core.next(state, policy, route, ups);
      if (step.kind === 'backoff') {
        await sleepUs(step.delayUs);
        continue;
      }
      if (step.kind === 'reject') {
        if (failures.length > 0) break;
        counters.rejected++;
        sendJson(res, 503, { error: { message: step.reason, type: 'ServiceUnavailableError', param: null, code: 503 } }, { [REJECT_HEADER]: '1', 'x-request-id': rid });
        return;
      }
      const u = byId.get(step.instanceId);
      if (!u) {
        sendError(res, 500, `routing policy chose unknown backend '${step.instanceId}'`);
        return;
      }
      if (route.workflowId !== undefined) workflows.routed(route.workflowId, route.agentId, u.id, nowMs());
      if (state.attempts > 1) counters.reroutes++;
      const sent = await sendTo(u, req, res, path, payload, route, rid);
      if (sent === 'done') return;
      failures.push(`${u.id}: ${sent.reason}`);
      lastTried = u.id;
      if (!core.failed(state, policy, route, u.id, true)) break;
    }
    counters.failed++;
    // The last backend tried is named, so the client's record says where the request died.
    const last = failures.length > 0 ? { [INSTANCE_HEADER]: lastTried, 'x-request-id': rid } : { 'x-request-id': rid };
    if (!clientGone) sendJson(res, 502, errorBody(502, `router: no backend answered after ${failures.length} attempt(s): ${failures.join('; ')}`, null), last);
  }

  // Backoff between attempts on the injected clock (a WallClock live).
  function sleepUs(delayUs: number): Promise<void> {
    return new Promise((resolve) => opts.clock.schedule(opts.clock.nowUs() + delayUs, resolve));
  }

  // One attempt. Returns 'done' once a response (any status) started flowing to the client, or
  // the failure reason when nothing was received and another backend may be tried.
  async function sendTo(u: Upstream, req: IncomingMessage, res: ServerResponse, path: string, payload: Buffer | string, route: RouteRequest, rid: string): Promise<'done' | { reason: string }> {
    const t0 = nowMs();
    const entry = u.begin(route, t0);
    let up;
    try {
      up = await u.pool.request({
        path: `${u.basePath}${path}`, method: 'POST', headers: forwardHeaders(req.headers, u, rid), body: payload,
        headersTimeout: upstreamTimeoutMs, bodyTimeout: upstreamTimeoutMs,
      });
    } catch (e) {
      const reason = connectionReason(e);
      finish(u, entry, false, 0, 'connection', undefined, false);
      const code = (e as { code?: string }).code ?? '';
      if (/ECONNREFUSED|ECONNRESET|UND_ERR_SOCKET|EHOSTUNREACH|ENOTFOUND/.test(`${code} ${reason}`)) monitor.markDown(u);
      return { reason };
    }
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(up.headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) headers[k] = v;
    headers[INSTANCE_HEADER] = u.id;
    headers['x-request-id'] = rid;
    const status = up.statusCode;
    const ok = status < 400;
    let events = 0;
    // The response is committed to the client only with its first byte (or its end): until then
    // nothing reached the client, so an upstream that hangs or breaks before its first token is
    // a failed attempt the router core may re-send elsewhere, exactly as the simulated router
    // treats a timeout before the first token.
    return new Promise<'done' | { reason: string }>((resolve) => {
      const b = up.body;
      let committed = false;
      let settled = false;
      const commit = (): void => {
        if (committed) return;
        committed = true;
        res.writeHead(status, headers);
      };
      const done = (good: boolean, kind: string): void => {
        if (settled) return;
        settled = true;
        finish(u, entry, good, events, kind, status);
        resolve('done');
      };
      b.on('data', (chunk: Buffer) => {
        commit();
        u.firstByte(entry, nowMs());
        events += countEvents(chunk);
        if (!res.write(chunk)) {
          b.pause();
          res.once('drain', () => b.resume());
        }
      });
      b.once('end', () => {
        commit();
        res.end();
        done(ok, ok ? '' : `http_${status}`);
      });
      b.once('error', (e: Error) => {
        if (!committed && !settled) {
          settled = true;
          finish(u, entry, false, 0, 'stream_broken', undefined, false);
          resolve({ reason: connectionReason(e) });
          return;
        }
        res.destroy(); // mid-stream: the client sees a broken stream and may retry
        counters.failed++;
        done(false, 'stream_broken');
      });
      res.once('close', () => {
        if (!res.writableFinished) {
          b.destroy(); // client gone: cancel upstream so the engine aborts the request
          done(false, 'client_gone');
        }
      });
    });
  }

  // `answered`: a response reached the client, so this attempt ends the request (its outcome
  // goes to the policy here); otherwise the router core decides about a retry and tells it.
  function finish(u: Upstream, entry: InflightEntry, ok: boolean, events: number, errorKind: string, status?: number, answered = true): void {
    const t = nowMs();
    u.end(entry, t, ok, events);
    if (errorKind !== '') counters.errors.set(`${u.url}\u0000${errorKind}`, (counters.errors.get(`${u.url}\u0000${errorKind}`) ?? 0) + 1);
    latency.observe(u.url, status === undefined ? 'error' : String(status), (t - entry.startMs) / 1000);
    if (!answered) return;
    core.finished(policy, entry.route, u.id, ok);
  }

  async function proxySimple(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const u = ups.find((x) => x.healthy) ?? ups[0]!;
    try {
      const up = await u.pool.request({ path: `${u.basePath}${path}`, method: 'GET', headers: forwardHeaders(req.headers, u, randomUUID()), headersTimeout: upstreamTimeoutMs });
      const text = await up.body.text();
      res.writeHead(up.statusCode, { 'content-type': 'application/json' }).end(text);
    } catch (e) {
      sendError(res, 502, `router: ${u.id}: ${connectionReason(e)}`);
    }
  }

  return {
    url: `http://${hostForUrl(host)}:${port}`, port, upstreams: ups, counters, workflows, monitor,
    async close() {
      clearInterval(sweep);
      monitor.stop();
      await closeServer(server, sockets);
      await Promise.all(ups.map((u) => u.pool.destroy()));
    },
  };
}
