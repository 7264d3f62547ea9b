import { hashString } from '../../../policies/kv/hash.js';
import { renderRuns } from '../../../workloads/render.js';

/**
 * The generated body of `load saturate`, shaped for its path: chat completions get `messages`,
 * completions a `prompt` (a completions body sent to /v1/chat/completions is a 400 on every
 * request). The same rendered prompt either way.
 */
export function saturateBody(path: string, o: { model: string; promptTokens: number; maxTokens: number; stream: boolean }): string {
  const prompt = renderRuns([{ key: hashString('agentbench/load'), start: 0, length: o.promptTokens }]);
  const common = { model: o.model, max_tokens: o.maxTokens, ignore_eos: true, stream: o.stream };
  if (path.replace(/\/+$/, '').endsWith('/chat/completions')) return JSON.stringify({ ...common, messages: [{ role: 'user', content: prompt }] });
  return JSON.stringify({ ...common, prompt });
}

/** "200: 950, 503: 50" from autocannon's per-status counts (empty when absent). */
export function statusBreakdown(stats: unknown): string {
  if (stats === null || typeof stats !== 'object') return '';
  return Object.entries(stats as Record<string, { count?: number }>)
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([code, s]) => `${code}: ${s.count ?? 0}`)
    .join(', ');
}
