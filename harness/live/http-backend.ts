import { callMetaHeaders } from './call-meta-http.js';
import { Pool } from 'undici';
import type { Clock } from '../../policies/types.js';
import type { Backend, CallError, CallHandlers, LlmCall } from '../../workloads/backend.js';
import { renderRuns } from '../../workloads/render.js';
import { SseParser } from './sse.js';

/** Options of the HTTP workflow backend. */
export interface HttpBackendOptions {
  /** Router or engine base URL, e.g. http://127.0.0.1:8000 (a path prefix such as /v1 is kept out). */
  readonly baseUrl: string;
  readonly model: string;
  /** Sent as `Authorization: Bearer`; never logged. */
  readonly apiKey?: string | undefined;
  readonly clock: Clock;
  /** A call still open after this many clock µs ends as a timeout (and is aborted). */
  readonly requestTimeoutUs: number;
  /**
   * Force the drawn output length: `ignore_eos: true` and `max_tokens` = the drawn length (what
   * vLLM's benchmark_serving does). Off: `max_tokens` = the client cap, the model stops itself.
   */
  readonly forceOutputLength?: boolean | undefined;
  /** Send `agentbench_output_key` so an emulated engine emits the workflow's output text. */
  readonly sendOutputKey?: boolean | undefined;
  /** At most this many calls on the wire; more wait in a client FIFO (their wait is queueMs). */
  readonly maxConcurrency?: number | undefined;
  /** `instance` of a result when the server does not name one (a single engine). */
  readonly instanceLabel?: string | undefined;
}

/** Response header naming the instance that served a request (set by agentbench's router). */
export const INSTANCE_HEADER = 'x-agentbench-instance';
/** Response header marking a routing rejection (no instance could take the request). */
export const REJECT_HEADER = 'x-agentbench-reject';

interface Usage {
  prompt_tokens?: number;
  completion_tokens?: number;
  prompt_tokens_details?: { cached_tokens?: number } | null;
}

/**
 * The live workflow Backend: each call is a streamed POST /v1/completions (undici, SSE) to a
 * router or an engine. TTFT and per-chunk ITL are measured on the injected clock as chunks
 * arrive; tokens and cached tokens come from the final `usage`. Every call ends exactly once:
 * done, an HTTP error (4xx rejected, 5xx failed), a broken stream (failed) or a timeout.
 */
export class HttpBackend implements Backend {
  readonly #opts: HttpBackendOptions;
  readonly #pool: Pool;
  readonly #basePath: string;
  readonly #waiting: (() => void)[] = [];
  #onWire = 0;
  #open = 0;

  constructor(opts: HttpBackendOptions) {
    this.#opts = opts;
    const u = new URL(opts.baseUrl);
    this.#basePath = u.pathname.replace(/\/+$/, '').replace(/\/v1$/, '');
    this.#pool = new Pool(u.origin, { connections: null, pipelining: 1, keepAliveTimeout: 30_000 });
  }

  /** Calls submitted and not yet ended. */
  get open(): number {
    return this.#open;
  }

  submit(call: LlmCall, handlers: CallHandlers): void {
    this.#open++;
    const submitUs = this.#opts.clock.nowUs();
    const max = this.#opts.maxConcurrency ?? Infinity;
    if (this.#onWire < max) {
      this.#onWire++;
      void this.#send(call, handlers, submitUs);
    } else {
      this.#waiting.push(() => void this.#send(call, handlers, submitUs));
    }
  }

  /** Close the connection pool (pending calls are cut). */
  async close(): Promise<void> {
    await this.#pool.destroy();
  }

  async #send(call: LlmCall, handlers: CallHandlers, submitUs: number): Promise<void> {
    const o = this.#opts;
    const clock = o.clock;
    const sendUs = clock.nowUs();
    let instance = o.instanceLabel;
    let firstTokenUs = NaN;
    let chunks = 0;
    let usage: Usage | undefined;
    let sawDone = false;
    let streamError: string | undefined;
    let ended = false;
    const ac = new AbortController();
    let timedOut = false;
    const timer = clock.schedule(sendUs + o.requestTimeoutUs, () => {
      timedOut = true;
      ac.abort();
    });
    const end = (fn: () => void): void => {
      if (ended) return;
      ended = true;
      clock.cancel(timer);
      this.#open--;
      this.#onWire--;
      const next = this.#waiting.shift();
      if (next) {
        this.#onWire++;
        next();
      }
      fn();
    };
    const fail = (outcome: CallError['outcome'], reason: string): void => end(() => handlers.onError({
      outcome, reason, instance, endUs: clock.nowUs(),
      ...(Number.isFinite(firstTokenUs) ? { firstTokenUs, outputTokens: chunks } : {}),
    }));

    const body: Record<string, unknown> = {
      model: o.model,
      prompt: renderRuns(call.prompt),
      max_tokens: o.forceOutputLength === false ? call.maxTokens : call.outputTokens,
      stream: true,
      stream_options: { include_usage: true },
    };
    if (o.forceOutputLength !== false) body['ignore_eos'] = true;
    if (o.sendOutputKey) body['agentbench_output_key'] = call.outputKey;
    if (call.priority !== undefined && call.priority !== 0) body['priority'] = call.priority;
    const headers: Record<string, string> = { 'content-type': 'application/json', 'x-request-id': call.id };
    if (o.apiKey) headers['authorization'] = `Bearer ${o.apiKey}`;
    Object.assign(headers, callMetaHeaders(call));

    try {
      const res = await this.#pool.request({
        path: `${this.#basePath}/v1/completions`, method: 'POST', headers, body: JSON.stringify(body),
        signal: ac.signal, headersTimeout: 0, bodyTimeout: 0,
      });
      const named = res.headers[INSTANCE_HEADER];
      if (typeof named === 'string') instance = named;
      if (res.statusCode !== 200) {
        const text = await res.body.text();
        const msg = errorMessage(text);
        const outcome = res.statusCode >= 500 && res.headers[REJECT_HEADER] === undefined ? 'failed' : 'rejected';
        fail(outcome, `HTTP ${res.statusCode}: ${msg}`);
        return;
      }
      const sse = new SseParser((data) => {
        if (data === '[DONE]') {
          sawDone = true;
          return;
        }
        let ev: { choices?: { text?: string; delta?: { content?: string | null } }[]; usage?: Usage | null; error?: { message?: unknown } | string };
        try {
          ev = JSON.parse(data) as typeof ev;
        } catch {
          return;
        }
        if (ev.error !== undefined) {
          // vLLM (and the agentbench router) end a failed stream with an error event, then [DONE].
          const m = typeof ev.error === 'string' ? ev.error : ev.error?.message;
          streamError = typeof m === 'string' ? m : JSON.stringify(ev.error);
          return;
        }
        const c = ev.choices?.[0];
        const text = c?.text ?? c?.delta?.content ?? '';
        if (text !== '') {
          const now = clock.nowUs();
          const first = chunks === 0;
          if (first) firstTokenUs = now;
          chunks++;
          handlers.onToken(now, first);
        }
        if (ev.usage) usage = ev.usage;
      });
      res.body.setEncoding('utf8');
      for await (const text of res.body as AsyncIterable<string>) sse.push(text);
      sse.end();
      if (streamError !== undefined) {
        fail('failed', `stream error: ${streamError}`);
        return;
      }
      if (!sawDone) {
        fail('failed', 'stream ended before [DONE]');
        return;
      }
      const endUs = clock.nowUs();
      end(() => handlers.onDone({
        instance: instance ?? '',
        firstTokenUs: Number.isFinite(firstTokenUs) ? firstTokenUs : endUs,
        endUs,
        queueUs: sendUs - submitUs,
        promptTokens: usage?.prompt_tokens ?? call.promptTokens,
        cachedPromptTokens: usage?.prompt_tokens_details?.cached_tokens ?? 0,
        crossAgentCachedTokens: NaN,
        outputTokens: usage?.completion_tokens ?? chunks,
        preemptions: 0,
      }));
    } catch (e) {
      if (timedOut) fail('timeout', `no complete response within ${(o.requestTimeoutUs / 1e6).toFixed(1)} s`);
      else fail('failed', connectionReason(e));
    }
  }
}

function errorMessage(text: string): string {
  try {
    const j = JSON.parse(text) as { error?: { message?: string } | string; message?: string };
    const m = typeof j.error === 'string' ? j.error : j.error?.message ?? j.message;
    if (typeof m === 'string') return m;
  } catch {
    // not JSON: use the text
  }
  return text.slice(0, 200);
}

/** A short reason for a transport error (code and message, e.g. "ECONNREFUSED ..."). */
export function connectionReason(e: unknown): string {
  const err = e as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = err.cause?.code ?? err.code;
  const msg = err.cause?.message ?? err.message ?? String(e);
  return code ? `${code}: ${msg}` : msg;
}
