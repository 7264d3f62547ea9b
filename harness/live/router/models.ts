import type { Upstream } from './upstream.js';

/** One entry of an OpenAI `GET /v1/models` list, kept as the backend sent it. */
export interface ModelEntry {
  readonly id: string;
  readonly [k: string]: unknown;
}

/**
 * Ask a backend which models it serves (`GET /v1/models`) and remember them on the upstream
 * (`u.models`); undefined when it does not answer a list, in which case `u.models` is left as it
 * was (null at start: unknown, so the backend is a candidate for any model).
 */
export async function refreshModels(u: Upstream, timeoutMs: number): Promise<ModelEntry[] | undefined> {
  try {
    const res = await u.pool.request({
      path: `${u.basePath}/v1/models`, method: 'GET', headersTimeout: timeoutMs, bodyTimeout: timeoutMs, signal: AbortSignal.timeout(timeoutMs),
      headers: u.apiKey ? { authorization: `Bearer ${u.apiKey}` } : {},
    });
    const text = await res.body.text();
    // 401/403: the backend refuses the key the router sends it (or the lack of one).
    u.keyRefused = res.statusCode === 401 || res.statusCode === 403;
    if (res.statusCode !== 200) return undefined;
    const data = (JSON.parse(text) as { data?: unknown }).data;
    if (!Array.isArray(data)) return undefined;
    const entries = data.filter((m): m is ModelEntry => m !== null && typeof m === 'object' && typeof (m as { id?: unknown }).id === 'string');
    u.models = entries.map((m) => m.id);
    return entries;
  } catch {
    return undefined;
  }
}

/** The union of the backends' model lists, first backend's entry first (what `GET /v1/models` answers). */
export function mergeModels(lists: readonly (readonly ModelEntry[] | undefined)[]): ModelEntry[] {
  const out = new Map<string, ModelEntry>();
  for (const l of lists) for (const m of l ?? []) if (!out.has(m.id)) out.set(m.id, m);
  return [...out.values()];
}

/** Backends that may serve `model` (unknown lists count as yes); all of them when no model is named. */
export function servingModel(ups: readonly Upstream[], model: string | undefined): Upstream[] {
  return model === undefined ? [...ups] : ups.filter((u) => u.models === null || u.models.includes(model));
}
