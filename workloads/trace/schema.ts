import { z } from 'zod';
import { safeNameSchema } from '../bounds.js';

const column = z.string().min(1);

/**
 * A `trace` workload: replay a file of requests at their recorded times. Formats: `mooncake`
 * (JSONL: timestamp ms, input_length, output_length, hash_ids of 512-token prefix blocks),
 * `azure` (the Azure LLM inference CSV: TIMESTAMP,ContextTokens,GeneratedTokens), or generic
 * `csv` / `jsonl` with a column mapping.
 */
export const traceShape = {
  name: safeNameSchema(),
  pattern: z.literal('trace'),
  /** Path, relative to the scenario file. */
  file: z.string().min(1),
  format: z.enum(['mooncake', 'azure', 'csv', 'jsonl']),
  /** Generic formats: which column (CSV header name or JSON key) holds what. */
  columns: z.strictObject({
    arrival: column,
    /** Prompt length; may be left out when `promptTokenIds` gives the prompt. */
    promptTokens: column.optional(),
    outputTokens: column,
    /** Session or conversation id: becomes the calls' sessionKey. */
    session: column.optional(),
    /** Prefix-block hashes: a JSON list, or ids separated by spaces, ';' or '|' in CSV. */
    blockHashes: column.optional(),
    /**
     * The prompt's token ids (vLLM's `prompt_token_ids`: a JSON list, or ids separated by spaces,
     * ';' or '|' in CSV). Every full block of `hashBlockTokens` ids gets a chained hash, as vLLM's
     * prefix cache does (block i's hash covers ids 0 … (i+1)·block − 1, so two prompts share
     * exactly their common leading full blocks); the partial last block is never shared.
     */
    promptTokenIds: column.optional(),
  }).optional(),
  /** Generic formats: unit of the arrival column (`datetime`: 'YYYY-MM-DD HH:MM:SS.fff', UTC). */
  timeUnit: z.enum(['s', 'ms', 'us', 'datetime']).default('s'),
  /**
   * Tokens per block hash. Default: 16 (vLLM's block size) with `promptTokenIds`, else 512
   * (Mooncake's hash_ids).
   */
  hashBlockTokens: z.int().positive().optional(),
  /** Multiplies recorded inter-arrival times (0.5 = replay twice as fast). */
  timeScale: z.number().positive().default(1),
  /** Skip the first seconds of the trace (times are rebased to the first row replayed). */
  startS: z.number().nonnegative().default(0),
  /** Replay at most this many rows of the file (per pass). */
  limit: z.int().positive().optional(),
  /** Replay the file again (re-keyed, so passes do not share cache) until `workflows` or `durationS`. */
  loop: z.boolean().default(false),
  /** Skip malformed rows (counted) instead of failing with the first one's file:line. */
  skipBadRows: z.boolean().default(false),
  workflows: z.int().positive().optional(),
  durationS: z.number().positive().optional(),
  priority: z.number().default(0),
  /** max_tokens declared per call; default: the row's output length (as vLLM's benchmark does). */
  maxTokens: z.int().positive().optional(),
};

const traceObject = z.object(traceShape);
/** A parsed trace workload. */
export type TraceSpec = z.output<typeof traceObject>;

/** Tokens per block hash of a trace workload (see `hashBlockTokens`). */
export function traceBlockTokens(w: TraceSpec): number {
  return w.hashBlockTokens ?? (w.columns?.promptTokenIds !== undefined ? 16 : 512);
}

/** Cross-field checks of a trace workload (paths relative to it). */
export function checkTrace(w: TraceSpec, issue: (path: (string | number)[], message: string) => void): void {
  const generic = w.format === 'csv' || w.format === 'jsonl';
  if (generic && !w.columns) {
    issue(['columns'], `format '${w.format}' needs \`columns\` (arrival, promptTokens or promptTokenIds, outputTokens; optional session, blockHashes)`);
  }
  if (w.columns && w.columns.promptTokens === undefined && w.columns.promptTokenIds === undefined) {
    issue(['columns'], 'expected `promptTokens` or `promptTokenIds`, found neither');
  }
  if (w.columns?.promptTokenIds !== undefined && w.columns.blockHashes !== undefined) {
    issue(['columns'], '`promptTokenIds` and `blockHashes` both name the prefix blocks; give one');
  }
  if (!generic && w.columns) issue(['columns'], `\`columns\` applies to the csv and jsonl formats; '${w.format}' has fixed columns`);
  if (w.loop && w.workflows === undefined && w.durationS === undefined) {
    issue(['loop'], 'expected `workflows` or `durationS` to bound a looping trace, found neither');
  }
}
