import { hashNumbers, hashString, type TokenRun } from '../../policies/kv/hash.js';
import { InputError } from '../input-error.js';
import { resolveDataPath } from '../empirical.js';
import type { Arrival, ArrivalStream } from '../stream.js';
import type { Workflow } from '../workflow.js';
import { CsvSyntaxError, splitCsvLine } from './csv-line.js';
import { LineReader } from './line-reader.js';
import { RowError, rowParser, type RowParser, type TraceRow } from './rows.js';
import { traceBlockTokens, type TraceSpec } from './schema.js';

const BLOCK_NS = hashString('trace-block');
const ROW_NS = hashString('trace-row');

/** What a trace replay skipped (with `skipBadRows`). */
export interface TraceStats {
  skippedRows: number;
  /** The first few skip reasons, file:line: message. */
  readonly skipped: string[];
}

/**
 * A trace file replayed as arrivals, read lazily (one chunk in memory). Each row becomes a
 * one-call workflow at its recorded time (rebased to the first row, minus `startS`, times
 * `timeScale`). Prefix-block ids become prompt runs of `hashBlockTokens` tokens each, keyed by
 * id, so two rows sharing leading ids share those tokens and hence every KV block of ours
 * that lies inside the common prefix, whatever our block size; tokens beyond the ids are
 * unique to the row. A
 * looped pass re-keys everything (passes do not share cache) and starts one mean gap after the
 * previous pass's last row.
 */
export class TraceStream implements ArrivalStream {
  readonly name = 'main';
  readonly closedLoop = false;
  readonly stats: TraceStats = { skippedRows: 0, skipped: [] };
  readonly #spec: TraceSpec;
  readonly #blockTokens: number;
  readonly #path: string;
  readonly #parser: RowParser;
  readonly #pending = new Map<number, { row: TraceRow; pass: number }>();
  #reader: LineReader | null;
  #headerSeen = false;
  #pass = 0;
  #passRows = 0;
  #passLastUs = 0;
  #offsetUs = 0;
  #originUs = NaN;
  #prevUs = -Infinity;
  #count = 0;

  constructor(spec: TraceSpec, baseDir?: string) {
    this.#spec = spec;
    this.#blockTokens = traceBlockTokens(spec);
    this.#path = resolveDataPath(spec.file, baseDir);
    this.#parser = rowParser(spec);
    this.#reader = new LineReader(this.#path);
  }

  next(): Arrival | null {
    const s = this.#spec;
    if (s.workflows !== undefined && this.#count >= s.workflows) return this.#end();
    for (;;) {
      const row = s.limit !== undefined && this.#passRows >= s.limit ? null : this.#readRow();
      if (row === null) {
        if (this.#count === 0 && this.stats.skippedRows > 0) {
          // Skipping is for a few bad rows; a file of nothing but bad rows is the wrong file or format.
          throw new InputError([`${this.#path}: all ${this.stats.skippedRows} rows are malformed (format '${s.format}'), so the workload has no requests; first: ${this.stats.skipped[0]}`]);
        }
        if (!s.loop || this.#passRows === 0) return this.#end();
        this.#newPass();
        continue;
      }
      if (Number.isNaN(this.#originUs)) this.#originUs = row.timeUs;
      const relUs = row.timeUs - this.#originUs - s.startS * 1e6;
      if (relUs < 0) continue;
      const scaledUs = relUs * s.timeScale;
      const at = this.#offsetUs + scaledUs;
      if (s.durationS !== undefined && at > s.durationS * 1e6) return this.#end();
      this.#passRows++;
      this.#passLastUs = scaledUs;
      const a: Arrival = { index: this.#count++, arrivalUs: Math.round(at), stream: 'main' };
      this.#pending.set(a.index, { row, pass: this.#pass });
      return a;
    }
  }

  ended(): void {}

  build(a: Arrival): Workflow {
    const p = this.#pending.get(a.index);
    if (!p) throw new Error(`trace ${this.#spec.name}: arrival ${a.index} was not read or was built twice`);
    this.#pending.delete(a.index);
    const { row, pass } = p;
    const s = this.#spec;
    const prompt: TokenRun[] = [];
    let left = row.promptTokens;
    for (const id of row.blockIds ?? []) {
      if (left <= 0) break;
      const length = Math.min(this.#blockTokens, left);
      prompt.push({ key: hashNumbers(BLOCK_NS, pass, id), start: 0, length });
      left -= length;
    }
    if (left > 0) prompt.push({ key: hashNumbers(ROW_NS, pass, row.lineNo), start: 0, length: left });
    const outputTokens = Math.max(1, s.maxTokens === undefined ? row.outputTokens : Math.min(s.maxTokens, row.outputTokens));
    const agentId = row.session ?? 'client';
    return {
      id: `${s.name}-${a.index}`,
      workload: s.name,
      pattern: 'trace',
      index: a.index,
      arrivalUs: a.arrivalUs,
      sharing: 'none',
      contextKey: 0,
      contextTokens: 0,
      systemTokens: {},
      expectedAgents: [agentId],
      priority: s.priority,
      ...(row.session !== undefined ? { sessionKey: row.session } : {}),
      nodes: [{
        kind: 'llm', id: 'request', agentId, role: 'trace', parents: [], taskTokens: 0, outputTokens,
        maxTokens: s.maxTokens ?? outputTokens, prompt,
      }],
    };
  }

  close(): void {
    this.#reader?.close();
    this.#reader = null;
  }

  #end(): null {
    this.close();
    return null;
  }

  #newPass(): void {
    // Next pass starts one mean inter-arrival gap after this pass's last row.
    const n = this.#passRows;
    const span = this.#passLastUs;
    this.#offsetUs += span > 0 && n >= 2 ? (span * n) / (n - 1) : 1e6;
    this.#pass++;
    this.#passRows = 0;
    this.#prevUs = -Infinity;
    this.#headerSeen = false;
    this.#reader?.close();
    this.#reader = new LineReader(this.#path);
  }

  #readRow(): TraceRow | null {
    const reader = this.#reader;
    if (!reader) return null;
    for (;;) {
      const raw = reader.next();
      if (raw === null) return null;
      const line = raw.trim();
      if (line === '' || (!this.#parser.hasHeader && line.startsWith('#'))) continue;
      const where = `${this.#path}:${reader.lineNo}`;
      if (this.#parser.hasHeader && !this.#headerSeen) {
        let fields: string[];
        try {
          fields = splitCsvLine(line);
        } catch (e) {
          if (e instanceof CsvSyntaxError) throw new InputError([`${where}: header: ${e.message}`]);
          throw e;
        }
        const problem = this.#parser.header(fields);
        if (problem) throw new InputError([`${where}: ${problem}`]);
        this.#headerSeen = true;
        continue;
      }
      try {
        const row = this.#parser.parse(line, reader.lineNo);
        if (row.timeUs < this.#prevUs) {
          const rel = (t: number) => `${((t - this.#originUs) / 1e6).toFixed(3)} s`;
          throw new RowError(`time goes backwards (${rel(row.timeUs)} is before the previous row's ${rel(this.#prevUs)}, from the first row); sort the trace by time`);
        }
        this.#prevUs = row.timeUs;
        return row;
      } catch (e) {
        if (!(e instanceof RowError)) throw e;
        if (!this.#spec.skipBadRows) throw new InputError([`${where}: ${e.message} (set skipBadRows: true to skip bad rows)`]);
        if (this.#pass === 0) {
          this.stats.skippedRows++;
          if (this.stats.skipped.length < 5) this.stats.skipped.push(`${where}: ${e.message}`);
        }
      }
    }
  }
}
