import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { bearerCheck, closeServer, hostForUrl, listen, parseJsonBody, readBody, sendError, sendJson, trackSockets } from '../http-util.js';
import { PROM_CONTENT_TYPE } from '../prometheus.js';
import type { ChatTemplateName } from '../chat-template.js';
import { chatAnswerWriter, type AnswerMeta, type AnswerWriter } from './answer-writer.js';
import { EmulatedEngine } from './emulated-engine.js';
import { callMetaFromHttp } from '../call-meta-http.js';
import { parseGeneration, type AnswerMode, type ApiKind, type GenerationOptions, type ParsedGeneration } from './openai-request.js';
import { LoraAdapters } from './lora-adapters.js';
import { isProblem } from './request-problem.js';
import { responsesToChat } from './responses-api.js';
import { responsesAnswerWriter } from './responses-writer.js';
import { detokenizeAnswer, tokenizeAnswer } from './tokenize-endpoints.js';
import type { ToolPolicy } from './tool-calls.js';

/** What `GET /version` answers: agentbench's version, as a semver build of its own (no vLLM version is claimed). */
export const ENGINE_VERSION = '0.1.0+agentbench';

/** The prefix-cache namespace of a request: its LoRA adapter's, split further by its cache_salt. */
function cacheNamespace(adapter: string | undefined, salt: string | undefined): string | undefined {
  const parts = [adapter === undefined ? '' : `lora:${adapter}`, salt === undefined ? '' : `salt:${salt}`].filter((x) => x !== '');
  return parts.length > 0 ? parts.join('|') : undefined;
}

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
  /** Chat template prompts are rendered with (default llama3). */
  readonly chatTemplate?: ChatTemplateName | undefined;
  /** How tool requests are answered (default: a tool parser on, "auto" always calls before tool results). */
  readonly tools?: ToolPolicy | undefined;
  /** Text answers: synthetic words (default) or an echo of the last user message. */
  readonly answer?: AnswerMode | undefined;
  /** LoRA adapters served (default: none loaded, runtime loading on, max_lora 1). */
  readonly lora?: LoraAdapters | undefined;
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
 * Start an OpenAI-compatible endpoint emulating one vLLM instance: POST /v1/completions,
 * /v1/chat/completions and /v1/responses (streamed or not), /tokenize, /detokenize, GET
 * /v1/models, /health, /ready, /ping, /version, /metrics (vLLM's names).
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
  const lora = opts.lora ?? new LoraAdapters(1);
  const genOpts: GenerationOptions = { maxModelLen: engine.config.maxModelLen, chatTemplate: opts.chatTemplate, tools: opts.tools, answer: opts.answer };

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
    if (req.method === 'GET' && (path === '/ready' || path === '/ping')) {
      // Ready once it serves: an emulated engine has no model to load.
      res.writeHead(engine.health === 'up' ? 200 : 503).end();
      return;
    }
    if (req.method === 'GET' && path === '/version') {
      sendJson(res, 200, { version: ENGINE_VERSION });
      return;
    }
    if (req.method === 'POST' && (path === '/tokenize' || path === '/detokenize')) {
      const body = parseJsonBody(await readBody(req), res);
      if (body === undefined) return;
      const out = path === '/tokenize' ? tokenizeAnswer(body, opts.chatTemplate, engine.config.maxModelLen) : detokenizeAnswer(body);
      if (isProblem(out)) sendError(res, out.status, out.message, out.param);
      else sendJson(res, 200, out);
      return;
    }
    if (req.method === 'GET' && path === '/metrics') {
      res.writeHead(200, { 'content-type': PROM_CONTENT_TYPE }).end(engine.metricsText() + lora.metricsText(Date.now() / 1000));
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
        data: [
          { id: engine.modelName, object: 'model', created: Math.floor(Date.now() / 1000), owned_by: 'agentbench', root: engine.modelName, parent: null, max_model_len: engine.config.maxModelLen },
          ...lora.list().map((a) => ({ id: a.name, object: 'model', created: Math.floor(Date.now() / 1000), owned_by: 'agentbench', root: a.path, parent: engine.modelName, max_model_len: engine.config.maxModelLen })),
        ],
      });
      return;
    }
    if (req.method === 'POST' && (path === '/v1/load_lora_adapter' || path === '/v1/unload_lora_adapter')) {
      const body = parseJsonBody(await readBody(req), res);
      if (body === undefined) return;
      const out = path === '/v1/load_lora_adapter' ? lora.load(body) : lora.unload(body);
      res.writeHead(out.status, { 'content-type': 'text/plain; charset=utf-8' }).end(out.text);
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
    if (req.method === 'POST' && path === '/v1/responses') {
      const body = parseJsonBody(await readBody(req), res);
      if (body === undefined) return;
      const chat = responsesToChat(body);
      if (isProblem(chat)) {
        sendError(res, chat.status, chat.message, chat.param);
        return;
      }
      generate('responses', chat, req, res, body as Record<string, unknown>);
      return;
    }
    sendError(res, 404, `no route for ${req.method ?? '?'} ${path}`);
  }

  // One generation: parse, admit, then hand the engine's tokens to the endpoint's writer.
  // `responses` runs the chat body translated from the Responses request (`original`).
  function generate(api: ApiKind | 'responses', body: unknown, req: IncomingMessage, res: ServerResponse, original?: Record<string, unknown>): void {
    const kind: ApiKind = api === 'completions' ? 'completions' : 'chat';
    const g = parseGeneration(kind, body, genOpts);
    if (isProblem(g)) {
      sendError(res, g.status, g.message, g.param);
      return;
    }
    // Workflow metadata and hints (headers, else the client's own body: a Responses request's, not its chat translation).
    const callMeta = callMetaFromHttp(req.headers, original ?? (body as Record<string, unknown>));
    if ('error' in callMeta) {
      sendError(res, 400, callMeta.error);
      return;
    }
    const adapter = g.model !== undefined && g.model !== engine.modelName && lora.has(g.model) ? g.model : undefined;
    if (g.model !== undefined && g.model !== engine.modelName && adapter === undefined) {
      sendError(res, 404, `The model \`${g.model}\` does not exist.`, 'model');
      return;
    }
    const requestId = typeof req.headers['x-request-id'] === 'string' ? req.headers['x-request-id'] : undefined;
    const prefix = api === 'responses' ? 'resp_' : kind === 'chat' ? 'chatcmpl-' : 'cmpl-';
    const meta: AnswerMeta = {
      id: `${prefix}${requestId ?? Math.random().toString(36).slice(2)}`, model: adapter ?? engine.modelName, created: Math.floor(Date.now() / 1000),
      headers: requestId ? { 'x-request-id': requestId } : {},
    };
    const writer: AnswerWriter = api === 'responses' ? responsesAnswerWriter(g, original ?? {}, res, meta) : chatAnswerWriter(kind, g, res, meta);
    let done = false;
    let rid = ''; // the engine's id of the request, set once admitted (tokens come later)
    const submitted = engine.submit({
      promptIds: g.promptIds, outputIds: g.outputIds, stopReason: g.stopReason, meta: callMeta,
      // An adapter's blocks are its own (vLLM keys blocks by LoRA id); cache_salt splits further.
      cacheSalt: cacheNamespace(adapter, g.cacheSalt),
      listener: {
        onToken(index) {
          if (index === 0 && adapter !== undefined) lora.started(rid);
          writer.token(index);
        },
        onFinished(info) {
          done = true;
          if (adapter !== undefined) lora.end(rid);
          writer.end(info);
        },
      },
    });
    if ('reject' in submitted) {
      sendError(res, engine.health === 'down' ? 503 : 400, submitted.reject);
      return;
    }
    rid = submitted.id;
    if (adapter !== undefined) lora.begin(rid, adapter);
    res.once('close', () => {
      if (done) return;
      engine.abort(submitted.id);
      lora.end(submitted.id);
    });
    writer.begin();
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
