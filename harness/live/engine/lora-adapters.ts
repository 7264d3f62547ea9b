import { isObj } from '../json-object.js';
import { PromWriter } from '../prometheus.js';

/** The answer to a load/unload call: vLLM answers these in plain text. */
export interface AdapterAnswer {
  readonly status: number;
  readonly text: string;
}

/**
 * The LoRA adapters an emulated engine serves (vLLM's `--lora-modules` and runtime
 * `/v1/load_lora_adapter` / `/v1/unload_lora_adapter`). A request names an adapter by `model`;
 * its blocks live in the adapter's own prefix-cache namespace, as vLLM keys blocks by LoRA id.
 * Adapter weights cost nothing here: no memory, no load time, no `--max-loras` batch limit.
 */
export class LoraAdapters {
  readonly #paths = new Map<string, string>();
  // Requests in the engine per adapter, and which of them have produced a token (running).
  readonly #inflight = new Map<string, { adapter: string; running: boolean }>();

  constructor(readonly maxLoras: number, modules: readonly { name: string; path: string }[] = []) {
    for (const m of modules) this.#paths.set(m.name, m.path);
  }

  has(name: string): boolean {
    return this.#paths.has(name);
  }

  /** Loaded adapters in load order, as `/v1/models` lists them. */
  list(): { name: string; path: string }[] {
    return [...this.#paths].map(([name, path]) => ({ name, path }));
  }

  /** `POST /v1/load_lora_adapter {lora_name, lora_path}`. */
  load(body: unknown): AdapterAnswer {
    const name = isObj(body) ? body['lora_name'] : undefined;
    const path = isObj(body) ? body['lora_path'] : undefined;
    if (typeof name !== 'string' || name === '' || typeof path !== 'string' || path === '') return { status: 400, text: 'Both \'lora_name\' and \'lora_path\' must be provided.' };
    if (this.#paths.has(name)) return { status: 400, text: `The lora adapter '${name}' has already been loaded.` };
    this.#paths.set(name, path);
    return { status: 200, text: `Success: LoRA adapter '${name}' added successfully.` };
  }

  /** `POST /v1/unload_lora_adapter {lora_name}`. */
  unload(body: unknown): AdapterAnswer {
    const name = isObj(body) ? body['lora_name'] : undefined;
    if (typeof name !== 'string' || name === '') return { status: 400, text: '\'lora_name\' needs to be provided to unload a LoRA adapter.' };
    if (!this.#paths.delete(name)) return { status: 404, text: `The lora adapter '${name}' cannot be found.` };
    return { status: 200, text: `Success: LoRA adapter '${name}' removed successfully.` };
  }

  /** A request on `adapter` entered the engine. */
  begin(requestId: string, adapter: string): void {
    this.#inflight.set(requestId, { adapter, running: false });
  }

  /** The request produced its first token. */
  started(requestId: string): void {
    const r = this.#inflight.get(requestId);
    if (r) r.running = true;
  }

  /** The request left the engine (finished or aborted). */
  end(requestId: string): void {
    this.#inflight.delete(requestId);
  }

  /**
   * vLLM's `vllm:lora_requests_info` gauge: adapters with running and waiting requests as
   * comma-joined label values, the value a timestamp. Running here means the request has
   * produced a token (a request in its first prefill counts as waiting).
   */
  metricsText(nowS: number): string {
    const running = new Set<string>();
    const waiting = new Set<string>();
    for (const r of this.#inflight.values()) (r.running ? running : waiting).add(r.adapter);
    return new PromWriter().family('vllm:lora_requests_info', 'gauge', 'Running stats on lora requests.', [[{
      max_lora: String(this.maxLoras), running_lora_adapters: [...running].join(','), waiting_lora_adapters: [...waiting].join(','),
    }, nowS]]).text();
  }
}
