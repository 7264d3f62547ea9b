import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { LineCounter, isNode, parseDocument } from 'yaml';
import { z } from 'zod';
import { gpuSpecSchema } from '../gpu-spec.js';
import { addToShape, emptyShape, type StepShape } from '../types.js';

const count = z.int().nonnegative();
const tokens = z.int().positive();

/** A prefill chunk: `tokens` computed after `context` tokens already in the KV cache. */
const chunkSchema = z.union([tokens, z.strictObject({ tokens, context: count.default(0) })]);
/** `count` decodes, each with `context` tokens before the new one. */
const decodeSchema = z.strictObject({ count: tokens.default(1), context: count });

/** One measured engine step: its batch and how long it took. */
const stepSchema = z.strictObject({
  prefill: z.array(chunkSchema).default([]),
  decode: z.array(decodeSchema).default([]),
  durationMs: z.number().positive(),
}).check((ctx) => {
  if (ctx.value.prefill.length === 0 && ctx.value.decode.length === 0) {
    ctx.issues.push({ code: 'custom', input: ctx.value, message: 'a step needs at least one prefill chunk or decode' });
  }
});

/** One request measured alone on the instance (concurrency 1). */
const requestSchema = z.strictObject({
  promptTokens: tokens,
  outputTokens: tokens,
  /** Prompt tokens served from the prefix cache. */
  cachedTokens: count.default(0),
  ttftMs: z.number().positive(),
  e2eMs: z.number().positive(),
  /** Send time; when given, requests are checked not to overlap. */
  arrivalMs: z.number().nonnegative().optional(),
}).check((ctx) => {
  const r = ctx.value;
  if (r.e2eMs < r.ttftMs) ctx.issues.push({ code: 'custom', input: r.e2eMs, path: ['e2eMs'], message: `e2eMs ${r.e2eMs} is below ttftMs ${r.ttftMs}` });
  if (r.cachedTokens > r.promptTokens) ctx.issues.push({ code: 'custom', input: r.cachedTokens, path: ['cachedTokens'], message: `cachedTokens ${r.cachedTokens} exceeds promptTokens ${r.promptTokens}` });
});

/** The observation file `agentbench calibrate` reads (JSON or YAML). */
export const observationFileSchema = z.strictObject({
  /** Catalog name or a path (relative to this file) to a HF config.json. */
  model: z.string().min(1),
  /** Catalog name, a path to a GPU spec .json, or an inline GPU spec. */
  gpu: z.union([z.string().min(1), gpuSpecSchema]),
  tensorParallel: z.int().positive().default(1),
  /** How the engine chunked prefills of the measured requests (vLLM --max-num-batched-tokens). */
  maxNumBatchedTokens: z.int().positive().default(8192),
  steps: z.array(stepSchema).default([]),
  requests: z.array(requestSchema).default([]),
}).check((ctx) => {
  const v = ctx.value;
  if (v.steps.length + v.requests.length === 0) {
    ctx.issues.push({ code: 'custom', input: v, message: 'no observations: give steps, requests or both' });
  }
  const timed = v.requests.map((r, i) => ({ r, i })).filter(({ r }) => r.arrivalMs !== undefined).sort((a, b) => a.r.arrivalMs! - b.r.arrivalMs!);
  for (let k = 1; k < timed.length; k++) {
    const prev = timed[k - 1]!;
    const cur = timed[k]!;
    if (cur.r.arrivalMs! < prev.r.arrivalMs! + prev.r.e2eMs) {
      ctx.issues.push({
        code: 'custom', input: cur.r.arrivalMs, path: ['requests', cur.i, 'arrivalMs'],
        message: `request overlaps requests[${prev.i}] (which ends at ${prev.r.arrivalMs! + prev.r.e2eMs} ms); per-request calibration needs requests measured one at a time (concurrency 1) — use per-step observations for loaded runs`,
      });
    }
  }
});

/** A parsed observation file. */
export type ObservationFile = z.output<typeof observationFileSchema>;

/** Which measured quantity an observation is. */
export type Metric = 'stepMs' | 'ttftMs' | 'e2eMs';

/** One measured duration and the steps it is made of (step shape × how many such steps). */
export interface Observation {
  readonly metric: Metric;
  readonly observedUs: number;
  readonly parts: readonly { readonly shape: StepShape; readonly count: number }[];
  /**
   * A request measured from the client: it also went once through the API-server front end
   * with this many prompt tokens (CostModel.frontendUs). Absent for engine steps.
   */
  readonly frontendPromptTokens?: number;
  /** Where it came from, for messages (e.g. "steps[3]"). */
  readonly label: string;
}

/** Read and validate an observation file; errors are `file:line:col: key.path: message`. */
export function loadObservationFile(file: string): { file: ObservationFile; modelRef: string; gpuRef: ObservationFile['gpu'] } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ObservationError([`${file}: cannot read observations: ${(e as Error).message}`]);
  }
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ObservationError(doc.errors.map((e) => {
      const { line, col } = lc.linePos(e.pos[0]);
      return `${file}:${line}:${col}: syntax error: ${e.message.split('\n')[0]}`;
    }));
  }
  const parsed = observationFileSchema.safeParse(doc.toJS());
  if (!parsed.success) {
    throw new ObservationError(parsed.error.issues.map((issue) => {
      const unknown = issue.code === 'unrecognized_keys';
      const at = unknown ? [...issue.path, issue.keys[0]!] : issue.path;
      let pos = { line: 1, col: 1 };
      for (let n = at.length; n >= 0; n--) {
        const node = n === 0 ? doc.contents : doc.getIn(at.slice(0, n) as (string | number)[], true);
        if (isNode(node) && node.range) {
          pos = lc.linePos(node.range[0]);
          break;
        }
      }
      const path = issue.path.map((k, i) => (typeof k === 'number' ? `[${k}]` : `${i === 0 ? '' : '.'}${String(k)}`)).join('') || '(top level)';
      const message = unknown
        ? `unknown key ${issue.keys.map((k) => `'${k}'`).join(', ')}; valid keys: ${validKeys(issue.path).join(', ')}`
        : issue.message;
      return `${file}:${pos.line}:${pos.col}: ${path}: ${message}`;
    }));
  }
  const base = dirname(file);
  const rel = (p: string): string => (p.endsWith('.json') && !isAbsolute(p) ? resolve(base, p) : p);
  const gpu = parsed.data.gpu;
  return { file: parsed.data, modelRef: rel(parsed.data.model), gpuRef: typeof gpu === 'string' ? rel(gpu) : gpu };
}

// The keys accepted at a path of the file (for "unknown key" messages).
function validKeys(path: readonly PropertyKey[]): string[] {
  const names = path.filter((k) => typeof k === 'string');
  const last = names[names.length - 1];
  if (last === 'steps') return ['prefill', 'decode', 'durationMs'];
  if (last === 'prefill') return ['tokens', 'context'];
  if (last === 'decode') return ['count', 'context'];
  if (last === 'requests') return Object.keys(requestSchema.shape);
  if (last === 'gpu') return Object.keys(gpuSpecSchema.shape);
  return Object.keys(observationFileSchema.shape);
}

/** Bad observation input (the CLI turns it into exit code 2). */
export class ObservationError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
    this.name = 'ObservationError';
  }
}

/**
 * Turn the file into observations. A step is one shape. A request run alone becomes a TTFT
 * observation (the API-server front end, then its prompt in chunks of maxNumBatchedTokens after the cached prefix; vLLM
 * recomputes the last prompt token on a full hit) and an E2E one (those steps plus outputTokens−1
 * decodes; their context grows by one per step, and every per-step term is linear in the
 * context, so they are priced as outputTokens−1 decodes at the mean context).
 */
export function toObservations(f: ObservationFile): Observation[] {
  const out: Observation[] = [];
  f.steps.forEach((s, i) => {
    const shape = emptyShape();
    for (const c of s.prefill) {
      const chunk = typeof c === 'number' ? { tokens: c, context: 0 } : c;
      addToShape(shape, chunk.context, chunk.tokens, false, true);
    }
    for (const d of s.decode) for (let k = 0; k < d.count; k++) addToShape(shape, d.context, 1, true, true);
    out.push({ metric: 'stepMs', observedUs: s.durationMs * 1000, parts: [{ shape, count: 1 }], label: `steps[${i}]` });
  });
  f.requests.forEach((r, i) => {
    const prefill: { shape: StepShape; count: number }[] = [];
    const start = Math.min(r.cachedTokens, r.promptTokens - 1);
    for (let done = start; done < r.promptTokens;) {
      const n = Math.min(f.maxNumBatchedTokens, r.promptTokens - done);
      const shape = emptyShape();
      addToShape(shape, done, n, false, done + n >= r.promptTokens);
      prefill.push({ shape, count: 1 });
      done += n;
    }
    // Measured at the client: the front end (HTTP, tokenising, IPC) comes before the first step.
    const frontendPromptTokens = r.promptTokens;
    out.push({ metric: 'ttftMs', observedUs: r.ttftMs * 1000, parts: prefill, frontendPromptTokens, label: `requests[${i}]` });
    const parts = [...prefill];
    if (r.outputTokens > 1) {
      const shape = emptyShape();
      addToShape(shape, r.promptTokens + (r.outputTokens - 2) / 2, 1, true, true);
      parts.push({ shape, count: r.outputTokens - 1 });
    }
    out.push({ metric: 'e2eMs', observedUs: r.e2eMs * 1000, parts, frontendPromptTokens, label: `requests[${i}]` });
  });
  return out;
}
