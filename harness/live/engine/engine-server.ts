import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { bearerCheck, closeServer, hostForUrl, listen, parseJsonBody, readBody, sendError, sendJson, trackSockets } from '../http-util.js';
import { PROM_CONTENT_TYPE } from '../prometheus.js';
import { detokenizeWord } from '../tokenizer.js';
import { EmulatedEngine } from './emulated-engine.js';
import { callMetaFromHttp } from '../call-meta-http.js';
import { parseGeneration, type ApiKind, type ParsedGeneration } from './openai-request.js';
import { fullResponse, StreamFormatter, usage } from './openai-response.js';

/** Faults a test (or `POST /agentbench/fault`) can inject; `error`: generation requests get HTTP 500 until `recover`. */
export type EngineFault = 'crash' | 'hang' | 'slow' | 'kv-loss' | 'error' | 'recover';
const FAULT_KINDS: readonly EngineFault[] = ['crash', 'hang', 'slow', 'kv-loss', 'error', 'recover'];

/** Options of an emulated engine endpoint. */
export interface EngineServerOptions {
  readonly engine: EmulatedEngine;
  /** Default 127.0.0.1: nothing is exposed beyond loopback unless asked. */
  readonly host?: string | undefined;
  /** 0 (default) picks an ephemeral port. */
  readonly port?: number | undefined;
  /** Required from clients on /v1/* as `Authorization: Bearer <key>` (vLLM's --api-key). */
  readonly apiKey?: string | undefined;
  /** Accept `POST /agentbench/fault` (tests, demos); off by default. */
  readonly enableFaultEndpoint?: boolean | undefined;
}

/** A running emulated engine endpoint. */
export interface EngineServer {
  readonly url: string;
  readonly port: number;
  readonly engine: EmulatedEngine;
  /** Inject a fault: crash closes the port and cuts every connection; recover reopens it. */
  fault(kind: EngineFault, factor?: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * Start an OpenAI-compatible endpoint emulating one vLLM instance: POST /v1/completions and
 * /v1/chat/completions (streamed or not), GET /v1/models, /health, /metrics (vLLM's names).
 */
export async function startEngineServer(opts: EngineServerOptions): Promise<EngineServer> {
  const engine = opts.engine;
  const host = opts.host ?? '127.0.0.1';
  const authorized = bearerCheck(opts.apiKey);
  const hungHealth = new Set<ServerResponse>();
  // The `error` fault: the process is up and healthy but every generation fails with a 500 (a
  // broken worker behind a live API server), the case passive outlier ejection exists for.
  let erroring = false;
  const server = createServer({ keepAliveTimeout: 30_000 }, (req, res) => {
    handle(req, res).catch((e: unknown) => sendError(res, (e as { status?: number }).status ?? 500, (e as Error).message));
  });
  const sockets = trackSockets(server);
  let port = await listen(server, opts.port ?? 0, host);
  const url = `http://${hostForUrl(host)}:${port}`;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0]!;
    if (req.method === 'GET' && path === '/health') {
      if (engine.health === 'hung') {
        hungHealth.add(res); // a hung engine does not answer; health checks time out
        res.once('close', () => hungHealth.delete(res));
        return;
      }
      res.writeHead(200).end();
      return;
    }
    if (req.method === 'GET' && path === '/metrics') {
      res.writeHead(200, { 'content-type': PROM_CONTENT_TYPE }).end(engine.metricsText());
      return;
    }
    if (path === '/agentbench/fault' && req.method === 'POST' && opts.enableFaultEndpoint) {
      // Behind the API key like /v1: whoever may inject faults may crash the engine.
      if (!authorized(req)) {
        sendError(res, 401, 'Unauthorized');
        return;
      }
      const body = parseJsonBody(await readBody(req), res) as { kind?: unknown; factor?: unknown } | undefined;
      if (body === undefined) return;
      const kind = body?.kind;
      if (!FAULT_KINDS.includes(kind as EngineFault)) {
        sendError(res, 400, `fault kind must be ${FAULT_KINDS.join(', ')}, got ${JSON.stringify(kind)}`, 'kind');
        return;
      }
      sendJson(res, 200, { ok: true, kind });
      setImmediate(() => void fault(kind as EngineFault, typeof body.factor === 'number' ? body.factor : undefined));
      return;
    }
    if (path.startsWith('/v1/') && !authorized(req)) {
      sendError(res, 401, 'Unauthorized');
      return;
    }
    if (req.method === 'GET' && path === '/v1/models') {
      sendJson(res, 200, {
        object: 'list',
        data: [{ id: engine.modelName, object: 'model', created: Math.floor(Date.now() / 1000), owned_by: 'agentbench', root: engine.modelName, parent: null, max_model_len: engine.config.maxModelLen }],
      });
      return;
    }
    if (req.method === 'POST' && (path === '/v1/completions' || path === '/v1/chat/completions')) {
      const body = parseJsonBody(await readBody(req), res);
      if (body === undefined) return;
      if (erroring) {
        sendError(res, 500, 'engine fault: internal error (injected)');
        return;
      }
      generate(path === '/v1/completions' ? 'completions' : 'chat', body, req, res);
      return;
    }
    sendError(res, 404, `no route for ${req.method ?? '?'} ${path}`);
  }

  function generate(kind: ApiKind, body: unknown, req: IncomingMessage, res: ServerResponse): void {
    const g = parseGeneration(kind, body, engine.config.maxModelLen);
    if ('status' in g) {
      sendError(res, g.status, g.message, g.param);
      return;
    }
    const meta = callMetaFromHttp(req.headers, body as Record<string, unknown>);
    if ('error' in meta) {
      sendError(res, 400, meta.error);
      return;
    }
    if (g.model !== undefined && g.model !== engine.modelName) {
      sendError(res, 404, `The model \`${g.model}\` does not exist.`, 'model');
      return;
    }
    const requestId = typeof req.headers['x-request-id'] === 'string' ? req.headers['x-request-id'] : undefined;
    const respId = `${kind === 'chat' ? 'chatcmpl' : 'cmpl'}-${requestId ?? Math.random().toString(36).slice(2)}`;
    const created = Math.floor(Date.now() / 1000);
    const headers: Record<string, string> = requestId ? { 'x-request-id': requestId } : {};
    const fmt = g.stream ? new StreamFormatter(kind, respId, engine.modelName, created) : undefined;
    let done = false;
    let text = '';
    const submitted = engine.submit({
      promptIds: g.promptIds, outputIds: g.outputIds, stopReason: g.stopReason, meta,
      listener: {
        onToken(index) {
          const t = detokenizeWord(g.outputIds[index]!);
          if (fmt) res.write(index === 0 ? fmt.opening() + fmt.token(t) : fmt.token(t));
          else text += t;
        },
        onFinished(info) {
          done = true;
          const u = usage(info.promptTokens, info.outputTokens, info.cachedTokens);
          if (fmt) res.end(fmt.closing(info.reason, g.includeUsage ? u : undefined));
          else sendJson(res, 200, fullResponse(kind, respId, engine.modelName, created, text, info.reason, u), headers);
        },
      },
    });
    if ('reject' in submitted) {
      sendError(res, engine.health === 'down' ? 503 : 400, submitted.reject);
      return;
    }
    res.once('close', () => {
      if (!done) engine.abort(submitted.id);
    });
    if (fmt) {
      // Headers now, the first body byte with the first token (vLLM's chat stream sends its
      // role chunk on the first output, after prefill): until then nothing is committed.
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...headers });
      res.flushHeaders();
    }
  }

  async function fault(kind: EngineFault, factor?: number): Promise<void> {
    switch (kind) {
      case 'crash':
        engine.crash();
        await closeServer(server, sockets);
        return;
      case 'hang':
        engine.hang();
        return;
      case 'slow':
        engine.slow(factor ?? 4);
        return;
      case 'kv-loss':
        engine.flushPrefixCache();
        return;
      case 'error':
        erroring = true;
        return;
      case 'recover': {
        erroring = false;
        const wasDown = engine.health === 'down';
        engine.recover();
        for (const r of hungHealth) r.writeHead(200).end();
        hungHealth.clear();
        if (wasDown && !server.listening) port = await listen(server, port, host);
        return;
      }
    }
  }

  return {
    url, port, engine,
    fault,
    async close() {
      engine.close();
      for (const r of hungHealth) r.destroy();
      await closeServer(server, sockets);
    },
  };
}

/** The parsed generation type, for tests. */
export type { ParsedGeneration };
