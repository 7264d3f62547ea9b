import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Clock, RouteRequest, RoutingPolicy, Rng } from '../../../policies/types.js';
import { errorBody } from '../engine/openai-response.js';
import { MAX_BODY_BYTES, bearerCheck, closeServer, hostForUrl, listen, parseJsonBody, readBody, sendError, sendJson, sendMethodNotAllowed, trackSockets } from '../http-util.js';
import { INSTANCE_HEADER, REJECT_HEADER, connectionReason } from '../http-backend.js';
import { PROM_CONTENT_TYPE } from '../prometheus.js';
import { DEFAULT_HEALTH, UpstreamMonitor, type HealthOptions } from './monitor.js';
import { buildRouteRequest } from './route-request.js';
import { CALL_META_BODY_FIELDS, CALL_META_HEADERS } from '../call-meta-http.js';
import { LatencyHistograms, newRouterCounters, routerMetricsText, type RouterCounters } from './router-metrics.js';
import { Upstream, type InflightEntry, type UpstreamSpec } from './upstream.js';
import { ROUTER_DEFAULTS, RetryState, RouterCore, type AttemptFailure, type RouterCoreOptions } from '../../../sim/router-core.js';
import { WorkflowStore, type WorkflowStoreOptions } from './workflow-store.js';
import { handleWorkflowEndpoint, workflowMethods } from './workflow-endpoints.js';
import { mergeModels, refreshModels, servingModel } from './models.js';

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
  /** Largest generation request body, bytes; past it a 413 (default MAX_BODY_BYTES, 32 MiB). */
  readonly maxBodyBytes?: number | undefined;
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
  /**
   * Replace the backend list (a re-read backends file): backends whose id and URL are unchanged
   * stay as they are; removed ones take no new request, finish the ones they have, then close;
   * added ones are routed to at once (healthy until a check says otherwise). Refuses an empty or
   * duplicate-id list (the current one stays).
   */
  setUpstreams(specs: readonly UpstreamSpec[]): BackendChange;
  close(): Promise<void>;
}

/** What {@link RouterServer.setUpstreams} changed. */
export interface BackendChange {
  readonly added: readonly UpstreamSpec[];
  readonly removed: readonly UpstreamSpec[];
}

// `expect` is hop-by-hop too (RFC 9110 §10.1.1): Node's server already answered the client's
// `Expect: 100-continue`, and undici refuses to send the header (UND_ERR_NOT_SUPPORTED).
/** The methods a router path accepts (undefined: no such path, a 404). */
function routerMethods(path: string): readonly string[] | undefined {
  if (path === '/health' || path === '/metrics' || path === '/v1/models') return ['GET'];
  if (path === '/v1/completions' || path === '/v1/chat/completions' || path === '/v1/responses') return ['POST'];
  return workflowMethods(path);
}

/** An error answer held back while the router decides whether to re-send. */
interface HeldAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[]>;
  readonly body: string;
}

/** A failed attempt: why (for the client's 502), how (for the router core), and the answer if there was one. */
interface AttemptFailed {
  readonly reason: string;
  readonly failure: AttemptFailure;
  readonly answer?: HeldAnswer | undefined;
}

/** An OpenAI-style error's message, else the text's start. */
function errorText(text: string): string {
  try {
    const j = JSON.parse(text) as { error?: { message?: unknown } | string; message?: unknown };
    const m = typeof j.error === 'string' ? j.error : j.error?.message ?? j.message;
    if (typeof m === 'string') return m;
  } catch {
    // not JSON
  }
  return text.slice(0, 200);
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'te', 'trailer', 'host', 'expect']);
/** Largest error body of a retryable status the router holds while it decides to re-send. */
const MAX_ERROR_BODY = 64 * 1024;
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
  // Mutated in place by setUpstreams: the monitor, the metrics and each routing step read this array.
  const ups: Upstream[] = opts.upstreams.map((s) => new Upstream(s));
  const byId = new Map(ups.map((u) => [u.id, u]));
  const policy = opts.policy;
  const counters = newRouterCounters();
  const latency = new LatencyHistograms();
  const workflows = new WorkflowStore(opts.workflowStore);
  const monitor = new UpstreamMonitor(ups, { ...DEFAULT_HEALTH, ...opts.health }, (u) => {
    policy.onInstanceDown?.(u.id);
    // With moveOnMarkedDown, requests on it that nothing reached the client from yet are moved:
    // each aborts and the router core re-sends it (within the budget), as the simulated router does.
    if (core.options.moveOnMarkedDown === true) for (const abort of [...u.uncommitted]) abort();
  });
  const core = new RouterCore(opts.rng, opts.retryRng ?? opts.rng.fork('router-retry'), opts.router ?? ROUTER_DEFAULTS);
  // undici's headers and body timeouts are idle timeouts, as the router core's is (0: none).
  const upstreamTimeoutMs = Number.isFinite(core.options.timeoutUs) ? core.options.timeoutUs / 1000 : 0;
  const authorized = bearerCheck(opts.apiKey);
  const modelTimeoutMs = Math.max(100, opts.health?.timeoutMs ?? DEFAULT_HEALTH.timeoutMs);
  const model = opts.modelLabel ?? 'agentbench';
  // Epoch milliseconds (workflow status reports timestamps), advancing monotonically.
  const nowMs = (): number => performance.timeOrigin + performance.now();
  const sweep = setInterval(() => workflows.sweep(nowMs()), 5000);

  const server = createServer({ keepAliveTimeout: 30_000 }, (req, res) => {
    handle(req, res).catch((e: unknown) => sendError(res, (e as { status?: number }).status ?? 500, (e as Error).message));
  });
  const sockets = trackSockets(server);
  const port = await listen(server, opts.port ?? 0, host);
  monitor.start();
  // Which backend serves which model, so requests go only to backends that serve theirs.
  await Promise.all(ups.map((u) => refreshModels(u, modelTimeoutMs)));

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0]!;
    const allowed = routerMethods(path);
    if (allowed !== undefined && !allowed.includes(req.method ?? '')) {
      sendMethodNotAllowed(res, req.method, path, allowed);
      return;
    }
    if (path === '/health') {
      const healthy = ups.some((u) => u.healthy);
      sendJson(res, healthy ? 200 : 503, { status: healthy ? 'ok' : 'no healthy backend' });
      return;
    }
    if (path === '/metrics') {
      res.writeHead(200, { 'content-type': PROM_CONTENT_TYPE }).end(routerMetricsText({ upstreams: ups, counters, workflows, latency, model, nowMs: nowMs(), ejected: ejectedNow }));
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
    if (path === '/v1/models') {
      // Every backend's models, merged (each answer also refreshes what the router knows).
      const lists = await Promise.all(ups.map((u) => refreshModels(u, modelTimeoutMs)));
      if (lists.every((l) => l === undefined)) sendError(res, 502, 'router: no backend answered GET /v1/models');
      else sendJson(res, 200, { object: 'list', data: mergeModels(lists) });
      return;
    }
    if (path === '/v1/completions' || path === '/v1/chat/completions' || path === '/v1/responses') {
      const raw = await readBody(req, opts.maxBodyBytes ?? MAX_BODY_BYTES);
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

  function ejectedNow(id: string): boolean {
    return core.outliers?.ejected(id, opts.clock.nowUs()) ?? false;
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
    let outcome = 'router_error';
    try {
      outcome = await forwardOnce(req, res, path, raw, body);
    } finally {
      // Every request the router took ends here exactly once, under one outcome.
      counters.ended.set(outcome, (counters.ended.get(outcome) ?? 0) + 1);
    }
  }

  // Route, send and re-send one request; returns how it ended.
  async function forwardOnce(req: IncomingMessage, res: ServerResponse, path: string, raw: Buffer, body: Record<string, unknown>): Promise<string> {
    const rid = typeof req.headers['x-request-id'] === 'string' && req.headers['x-request-id'] !== '' ? req.headers['x-request-id'] : randomUUID();
    const route = await buildRouteRequest({
      id: rid, path, headers: req.headers, body, blockSize: opts.blockSize, defaultMaxTokens: opts.defaultMaxTokens ?? 4096, nowUs: opts.clock.nowUs(),
    });
    if ('error' in route) {
      sendError(res, 400, route.error);
      return 'bad_request';
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
    // Only backends serving the requested model are candidates; an unknown model is looked up
    // again once (a backend may have been down at start) before the 404.
    const model = typeof body['model'] === 'string' && body['model'] !== '' ? body['model'] : undefined;
    let serving = servingModel(ups, model);
    if (serving.length === 0) {
      await Promise.all(ups.map((u) => refreshModels(u, modelTimeoutMs)));
      serving = servingModel(ups, model);
    }
    if (serving.length === 0) {
      sendError(res, 404, `The model \`${model ?? ''}\` does not exist.`, 'model');
      return 'unknown_model';
    }
    const state = new RetryState();
    const failures: string[] = [];
    let lastTried = '';
    let lastAnswer: HeldAnswer | undefined;
    while (!clientGone) {
      // A backend removed from the list (setUpstreams) since the request arrived is not tried again.
      serving = serving.filter((u) => byId.get(u.id) === u);
      for (const u of serving) u.refresh();
      const step = core.next(state, policy, route, serving, opts.clock.nowUs());
      if (step.kind === 'backoff') {
        await sleepUs(step.delayUs);
        continue;
      }
      if (step.kind === 'reject') {
        if (failures.length > 0) break;
        counters.rejected++;
        sendJson(res, 503, { error: { message: step.reason, type: 'ServiceUnavailableError', param: null, code: 503 } }, { [REJECT_HEADER]: '1', 'x-request-id': rid });
        return 'rejected';
      }
      const u = byId.get(step.instanceId);
      if (!u) {
        sendError(res, 500, `routing policy chose unknown backend '${step.instanceId}'`);
        return 'router_error';
      }
      if (route.workflowId !== undefined) workflows.routed(route.workflowId, route.agentId, u.id, nowMs());
      if (state.attempts > 1) counters.reroutes++;
      const sent = await sendTo(u, req, res, path, payload, route, rid, body['stream'] === true);
      if ('done' in sent) return sent.done;
      failures.push(`${u.id}: ${sent.reason}`);
      lastTried = u.id;
      lastAnswer = sent.answer;
      if (!core.failed(state, policy, route, u.id, sent.failure, opts.clock.nowUs())) break;
    }
    if (clientGone) return 'client_gone';
    counters.failed++;
    if (lastAnswer !== undefined && failures.length === 1) {
      // One attempt that got an error answer: the client sees the backend's own answer.
      res.writeHead(lastAnswer.status, { ...lastAnswer.headers, [INSTANCE_HEADER]: lastTried, 'x-request-id': rid }).end(lastAnswer.body);
      return `http_${lastAnswer.status}`;
    }
    // The last backend tried is named, so the client's record says where the request died.
    const last = failures.length > 0 ? { [INSTANCE_HEADER]: lastTried, 'x-request-id': rid } : { 'x-request-id': rid };
    sendJson(res, 502, errorBody(502, `router: no backend answered after ${failures.length} attempt(s): ${failures.join('; ')}`, null), last);
    return 'all_attempts_failed';
  }

  // Backoff between attempts on the injected clock (a WallClock live).
  function sleepUs(delayUs: number): Promise<void> {
    return new Promise((resolve) => opts.clock.schedule(opts.clock.nowUs() + delayUs, resolve));
  }

  // One attempt. Returns 'done' once a response started flowing to the client, or why nothing
  // did (and how, for the router core) when another backend may be tried.
  async function sendTo(u: Upstream, req: IncomingMessage, res: ServerResponse, path: string, payload: Buffer | string, route: RouteRequest, rid: string, stream: boolean): Promise<{ done: string } | AttemptFailed> {
    const t0 = nowMs();
    const entry = u.begin(route, t0);
    const ac = new AbortController();
    // The time-to-first-token timeout: until the first byte nothing reached the client, so a
    // hung backend costs this long at most before the core may re-send elsewhere. Streams only:
    // a non-streamed answer's first byte comes with its last token, so the idle timeout and
    // the health checks (below) bound those.
    const ttftUs = stream ? core.options.firstTokenTimeoutUs ?? Infinity : Infinity;
    let ttftFired = false;
    let downFired = false;
    const ttftTimer = Number.isFinite(ttftUs) ? setTimeout(() => {
      ttftFired = true;
      ac.abort();
    }, ttftUs / 1000) : undefined;
    const onDown = (): void => {
      downFired = true;
      ac.abort();
    };
    u.uncommitted.add(onDown);
    const stopWaiting = (): void => {
      clearTimeout(ttftTimer);
      u.uncommitted.delete(onDown);
    };
    const ttftReason = (): string => (downFired ? `marked down by health checks before its first byte` : `no first byte within ${ttftUs / 1e6} s (first-token timeout)`);
    const aborted = (): boolean => ttftFired || downFired;
    let up;
    try {
      up = await u.pool.request({
        path: `${u.basePath}${path}`, method: 'POST', headers: forwardHeaders(req.headers, u, rid), body: payload,
        headersTimeout: upstreamTimeoutMs, bodyTimeout: upstreamTimeoutMs, signal: ac.signal,
      });
    } catch (e) {
      stopWaiting();
      const reason = aborted() ? ttftReason() : connectionReason(e);
      finish(u, entry, false, 0, ttftFired ? 'first_token_timeout' : downFired ? 'marked_down' : 'connection', undefined, false);
      const code = (e as { code?: string }).code ?? '';
      if (/ECONNREFUSED|ECONNRESET|UND_ERR_SOCKET|EHOSTUNREACH|ENOTFOUND/.test(`${code} ${reason}`)) monitor.markDown(u);
      return { reason, failure: 'transport' };
    }
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(up.headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) headers[k] = v;
    headers[INSTANCE_HEADER] = u.id;
    headers['x-request-id'] = rid;
    const status = up.statusCode;
    if (core.retriesStatus(status)) {
      // An error answer the core may re-send elsewhere: hold it (small) until it decides. The
      // first-token timer still runs while its body arrives, so a stalled error body cannot hang.
      let text = '';
      try {
        for await (const c of up.body as AsyncIterable<Buffer>) if (text.length < MAX_ERROR_BODY) text += c.toString('utf8');
      } catch {
        // a cut error body: the status is what matters
      }
      stopWaiting();
      finish(u, entry, false, 0, `http_${status}`, status, false);
      delete headers['content-length'];
      return { reason: `HTTP ${status}: ${errorText(text)}`, failure: status, answer: { status, headers, body: text } };
    }
    const ok = status < 400;
    const sse = String(up.headers['content-type'] ?? '').startsWith('text/event-stream');
    let events = 0;
    // The response is committed to the client only with its first byte (or its end): until then
    // nothing reached the client, so an upstream that hangs or breaks before its first token is
    // a failed attempt the router core may re-send elsewhere, exactly as the simulated router
    // treats a timeout before the first token.
    return new Promise<{ done: string } | AttemptFailed>((resolve) => {
      const b = up.body;
      let committed = false;
      let settled = false;
      const commit = (): void => {
        if (committed) return;
        committed = true;
        stopWaiting();
        res.writeHead(status, headers);
      };
      const done = (good: boolean, kind: string, serverError: boolean): void => {
        if (settled) return;
        settled = true;
        finish(u, entry, good, events, kind, status, true, serverError);
        resolve({ done: good ? 'ok' : kind });
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
        stopWaiting();
        res.end();
        done(ok, ok ? '' : `http_${status}`, status >= 500);
      });
      b.once('error', (e: Error) => {
        if (!committed && !settled) {
          settled = true;
          stopWaiting();
          finish(u, entry, false, 0, ttftFired ? 'first_token_timeout' : downFired ? 'marked_down' : 'stream_broken', undefined, false);
          resolve({ reason: aborted() ? ttftReason() : connectionReason(e), failure: 'transport' });
          return;
        }
        if (settled) return;
        counters.failed++;
        if (sse && !res.writableEnded) {
          // Mid-stream: as vLLM ends a stream on an error — an error event, then [DONE] — so
          // the client reads why instead of a bare socket error.
          const msg = `router: backend ${u.id} broke the stream: ${connectionReason(e)}`;
          res.end(`data: ${JSON.stringify(errorBody(502, msg, null))}\n\ndata: [DONE]\n\n`);
        } else res.destroy(); // a cut JSON body: the client sees a broken response
        done(false, 'stream_broken', true);
      });
      res.once('close', () => {
        if (!res.writableFinished) {
          stopWaiting();
          b.destroy(); // client gone: cancel upstream so the engine aborts the request
          done(false, 'client_gone', false);
        }
      });
    });
  }

  // `answered`: a response reached the client, so this attempt ends the request (its outcome
  // goes to the policy here); otherwise the router core decides about a retry and tells it.
  function finish(u: Upstream, entry: InflightEntry, ok: boolean, events: number, errorKind: string, status?: number, answered = true, serverError = false): void {
    const t = nowMs();
    u.end(entry, t, ok, events);
    // A 4xx is the client's error, not the backend's (vllm:request_errors_total is per backend).
    const clientError = status !== undefined && status >= 400 && status < 500;
    if (errorKind !== '' && !clientError) counters.errors.set(`${u.url}\u0000${errorKind}`, (counters.errors.get(`${u.url}\u0000${errorKind}`) ?? 0) + 1);
    latency.observe(u.url, status === undefined ? 'error' : String(status), (t - entry.startMs) / 1000);
    if (!answered) return;
    core.finished(policy, entry.route, u.id, ok, opts.clock.nowUs(), serverError);
  }

  // Removed backends still finishing their requests (their pools close when those end).
  const retiring = new Set<Upstream>();

  function setUpstreams(specs: readonly UpstreamSpec[]): BackendChange {
    if (specs.length === 0) throw new Error('router: at least one backend is required');
    const seen = new Set<string>();
    for (const s of specs) {
      if (seen.has(s.id)) throw new Error(`router: duplicate backend id '${s.id}'`);
      seen.add(s.id);
    }
    const same = (u: Upstream, s: UpstreamSpec): boolean => u.url === s.url && u.apiKey === s.apiKey;
    const removed = ups.filter((u) => !specs.some((s) => s.id === u.id && same(u, s)));
    const added = specs.filter((s) => { const u = byId.get(s.id); return !u || !same(u, s); });
    for (const u of removed) {
      ups.splice(ups.indexOf(u), 1);
      byId.delete(u.id);
      policy.onInstanceDown?.(u.id); // the policy forgets it (prefix indexes, session rings)
      retiring.add(u);
      // undici's close() lets the requests in flight finish (streams included), then ends the connections.
      void u.pool.close().catch(() => {}).finally(() => retiring.delete(u));
    }
    for (const s of added) {
      const u = new Upstream(s);
      ups.push(u);
      byId.set(u.id, u);
      void refreshModels(u, modelTimeoutMs);
    }
    return { added, removed: removed.map((u) => ({ id: u.id, url: u.url, apiKey: u.apiKey })) };
  }

  return {
    url: `http://${hostForUrl(host)}:${port}`, port, upstreams: ups, counters, workflows, monitor, setUpstreams,
    async close() {
      clearInterval(sweep);
      monitor.stop();
      await closeServer(server, sockets);
      await Promise.all([...ups, ...retiring].map((u) => u.pool.destroy()));
    },
  };
}
