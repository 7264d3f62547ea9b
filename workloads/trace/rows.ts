import { hashNumbers, hashString } from '../../policies/kv/hash.js';
import { CsvSyntaxError, splitCsvLine } from './csv-line.js';
import { traceBlockTokens, type TraceSpec } from './schema.js';
import { MAX_TOKENS } from '../bounds.js';

/** One request of a trace. */
export interface TraceRow {
  readonly lineNo: number;
  /** Recorded time, µs (any origin). */
  readonly timeUs: number;
  readonly promptTokens: number;
  readonly outputTokens: number;
  readonly session?: string | undefined;
  /** Prefix-block ids, as safe integers. */
  readonly blockIds?: readonly number[] | undefined;
}

/** A malformed row: the message names the field and what was found. */
export class RowError extends Error {}

/** Turns lines of one trace format into rows. `header` is called with the first non-empty line of CSV formats. */
export interface RowParser {
  readonly hasHeader: boolean;
  header(fields: string[]): string | null;
  parse(line: string, lineNo: number): TraceRow;
}

function found(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}

function count(v: unknown, what: string, min: number): number {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > MAX_TOKENS) {
    throw new RowError(`${what}: expected an integer from ${min} to ${MAX_TOKENS.toLocaleString('en-US')}, found ${found(v)}`);
  }
  return n;
}

function time(v: unknown, what: string, unitUs: number): number {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n) || n < 0) throw new RowError(`${what}: expected a time >= 0, found ${found(v)}`);
  return n * unitUs;
}

const DATETIME = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?Z?$/;

/** µs since the epoch of 'YYYY-MM-DD HH:MM:SS[.fraction]' read as UTC (Azure's TIMESTAMP has 7 fraction digits). */
export function parseDatetimeUs(v: unknown, what: string): number {
  const m = typeof v === 'string' ? DATETIME.exec(v.trim()) : null;
  if (!m) throw new RowError(`${what}: expected a date-time 'YYYY-MM-DD HH:MM:SS.ffffff', found ${found(v)}`);
  const [y, mo, d, h, mi, sec] = [1, 2, 3, 4, 5, 6].map((k) => Number(m[k]));
  if (!(mo! >= 1 && mo! <= 12 && d! >= 1 && d! <= 31 && h! < 24 && mi! < 60 && sec! < 61)) {
    throw new RowError(`${what}: not a valid date-time, found ${found(v)}`);
  }
  const ms = Date.UTC(y!, mo! - 1, d!, h!, mi!, sec!);
  const frac = m[7] ?? '';
  const fracUs = frac === '' ? 0 : Math.round(Number(`0.${frac}`) * 1e6);
  return ms * 1000 + fracUs;
}

function blockIds(v: unknown, what: string): number[] {
  const items = Array.isArray(v) ? v : typeof v === 'string' ? v.split(/[\s;|]+/).filter((s) => s !== '') : null;
  if (!items) throw new RowError(`${what}: expected a list of block ids, found ${found(v)}`);
  return items.map((x) => {
    if (typeof x === 'number' && Number.isSafeInteger(x) && x >= 0) return x;
    if (typeof x === 'string' && /^\d{1,15}$/.test(x)) return Number(x);
    if (typeof x === 'string' && x !== '') return hashString(`trace-block-id:${x}`);
    throw new RowError(`${what}: expected block ids (non-negative integers or strings), found ${found(x)}`);
  });
}

/** Namespace of chained token-block hashes (kept apart from trace block ids). */
const CHAIN_NS = hashString('trace-token-chain');

function tokenIds(v: unknown, what: string): number[] {
  const items = Array.isArray(v) ? v : typeof v === 'string' ? v.split(/[\s;|,]+/).filter((s) => s !== '') : null;
  if (!items) throw new RowError(`${what}: expected a list of token ids, found ${found(v)}`);
  return items.map((x) => {
    const n = typeof x === 'string' && /^\d{1,15}$/.test(x) ? Number(x) : x;
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) throw new RowError(`${what}: expected token ids (non-negative integers), found ${found(x)}`);
    return n;
  });
}

/**
 * Chained hashes of the full `blockTokens`-id blocks of a prompt, as vLLM's prefix cache keys
 * them (vllm/v1/core/kv_cache_utils.py, hash_block_tokens: each block's hash covers its parent's
 * hash and its own ids): equal hashes ⇔ equal ids from the start through that block. A 53-bit
 * hash, not vLLM's bytes; what a replay needs is the same sharing.
 */
export function chainedBlockHashes(ids: readonly number[], blockTokens: number): number[] {
  const out: number[] = [];
  let parent = CHAIN_NS;
  for (let b = 0; (b + 1) * blockTokens <= ids.length; b++) {
    parent = hashNumbers(parent, ...ids.slice(b * blockTokens, (b + 1) * blockTokens));
    out.push(parent);
  }
  return out;
}

function parseJson(line: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch (e) {
    throw new RowError(`invalid JSON: ${(e as Error).message}`);
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new RowError(`expected a JSON object, found ${found(v)}`);
  return v as Record<string, unknown>;
}

const UNIT_US = { s: 1e6, ms: 1e3, us: 1 } as const;

/** The row parser of a trace workload's format. */
export function rowParser(spec: TraceSpec): RowParser {
  switch (spec.format) {
    case 'mooncake':
      // github.com/kvcache-ai/Mooncake FAST25-release/traces: {"timestamp": ms, "input_length",
      // "output_length", "hash_ids": [...]}, each hash id naming a 512-token prefix block.
      return {
        hasHeader: false,
        header: () => null,
        parse(line, lineNo) {
          const o = parseJson(line);
          return {
            lineNo,
            timeUs: time(o['timestamp'], 'timestamp', 1e3),
            promptTokens: count(o['input_length'], 'input_length', 1),
            outputTokens: count(o['output_length'], 'output_length', 0),
            blockIds: o['hash_ids'] === undefined ? undefined : blockIds(o['hash_ids'], 'hash_ids'),
          };
        },
      };
    case 'azure':
      // github.com/Azure/AzurePublicDataset AzureLLMInferenceTrace_{code,conv}.csv (2023) and the
      // 2024 week-long traces: TIMESTAMP,ContextTokens,GeneratedTokens.
      return csvParser({ arrival: 'TIMESTAMP', promptTokens: 'ContextTokens', outputTokens: 'GeneratedTokens' }, 'datetime', traceBlockTokens(spec));
    case 'csv':
      return csvParser(spec.columns!, spec.timeUnit, traceBlockTokens(spec));
    case 'jsonl': {
      const c = spec.columns!;
      return {
        hasHeader: false,
        header: () => null,
        parse(line, lineNo) {
          const o = parseJson(line);
          for (const k of [c.arrival, c.promptTokens ?? c.promptTokenIds!, c.outputTokens]) if (!(k in o)) throw new RowError(`missing key '${k}'`);
          return rowOf(lineNo, (k) => o[k], c, spec.timeUnit, traceBlockTokens(spec));
        },
      };
    }
  }
}

type Columns = NonNullable<TraceSpec['columns']>;

function rowOf(lineNo: number, get: (key: string) => unknown, c: Columns, unit: TraceSpec['timeUnit'], blockTokens: number): TraceRow {
  const t = get(c.arrival);
  const session = c.session === undefined ? undefined : get(c.session);
  const hashes = c.blockHashes === undefined ? undefined : get(c.blockHashes);
  const ids = c.promptTokenIds === undefined ? undefined : tokenIds(get(c.promptTokenIds), c.promptTokenIds);
  let promptTokens: number;
  if (ids !== undefined) {
    if (ids.length === 0) throw new RowError(`${c.promptTokenIds!}: expected at least 1 token id, found none`);
    promptTokens = ids.length;
    if (c.promptTokens !== undefined) {
      const stated = count(get(c.promptTokens), c.promptTokens, 1);
      if (stated !== ids.length) throw new RowError(`${c.promptTokens}: ${stated} does not match the ${ids.length} ids of ${c.promptTokenIds!}`);
    }
  } else {
    promptTokens = count(get(c.promptTokens!), c.promptTokens!, 1);
  }
  return {
    lineNo,
    timeUs: unit === 'datetime' ? parseDatetimeUs(t, c.arrival) : time(t, c.arrival, UNIT_US[unit]),
    promptTokens,
    outputTokens: count(get(c.outputTokens), c.outputTokens, 0),
    session: session === undefined || session === null || session === '' ? undefined : String(session),
    blockIds: ids !== undefined ? chainedBlockHashes(ids, blockTokens)
      : hashes === undefined || hashes === null || hashes === '' ? undefined : blockIds(hashes, c.blockHashes!),
  };
}

function csvParser(c: Columns, unit: TraceSpec['timeUnit'], blockTokens: number): RowParser {
  let index = new Map<string, number>();
  let width = 0;
  return {
    hasHeader: true,
    header(fields) {
      // A header is not data: a UTF-8 byte-order mark on it is dropped.
      if (fields[0]?.startsWith('\uFEFF')) fields[0] = fields[0].slice(1);
      index = new Map(fields.map((f, i) => [f, i]));
      width = fields.length;
      const need = [c.arrival, c.promptTokens, c.outputTokens, c.session, c.blockHashes, c.promptTokenIds].filter((x): x is string => x !== undefined);
      const missing = need.filter((k) => !index.has(k));
      return missing.length > 0 ? `header has no column ${missing.map((m) => `'${m}'`).join(', ')}; columns: ${fields.join(', ')}` : null;
    },
    parse(line, lineNo) {
      let fields: string[];
      try {
        fields = splitCsvLine(line);
      } catch (e) {
        if (e instanceof CsvSyntaxError) throw new RowError(e.message);
        throw e;
      }
      if (fields.length !== width) throw new RowError(`expected ${width} fields, found ${fields.length}`);
      return rowOf(lineNo, (k) => fields[index.get(k)!], c, unit, blockTokens);
    },
  };
}
