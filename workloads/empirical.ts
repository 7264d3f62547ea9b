import { readFileSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { InputError } from './input-error.js';
import { CsvSyntaxError, splitCsvLine } from './trace/csv-line.js';

/** Resolve a path written in a scenario against the scenario's folder. */
export function resolveDataPath(file: string, baseDir: string | undefined): string {
  return isAbsolute(file) || baseDir === undefined ? file : join(baseDir, file);
}

const cache = new Map<string, Float64Array>();

/** Largest empirical distribution file read (it is held in memory as numbers). */
export const MAX_EMPIRICAL_BYTES = 64 * 1024 * 1024;

/**
 * Values of an empirical distribution file: one number per line (blank lines and `#` comments
 * skipped), or, with `column`, a CSV file whose header names the column. Values must be finite
 * and ≥ 0; a bad line is an InputError naming file:line. Files are read once per process.
 */
export function loadEmpiricalValues(path: string, column?: string): Float64Array {
  const cacheKey = `${path}\u0000${column ?? ''}`;
  const hit = cache.get(cacheKey);
  if (hit) return hit;
  let text: string;
  try {
    const st = statSync(path);
    if (st.isDirectory()) throw new InputError([`${path}: cannot read empirical distribution: expected a file, found a folder`]);
    // Read whole (values are resampled at random); a trace-sized file belongs in a trace workload.
    if (st.size > MAX_EMPIRICAL_BYTES) {
      throw new InputError([`${path}: empirical distribution of ${(st.size / 1048576).toFixed(1)} MiB; expected at most ${MAX_EMPIRICAL_BYTES / 1048576} MiB (sample it, or replay it as a trace workload)`]);
    }
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError([`${path}: cannot read empirical distribution: ${(e as Error).message}`]);
  }
  const lines = text.split('\n');
  const values: number[] = [];
  let col = -1;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '').trim();
    if (line === '' || line.startsWith('#')) continue;
    const where = `${path}:${i + 1}`;
    let field = line;
    if (column !== undefined) {
      let fields: string[];
      try {
        fields = splitCsvLine(line);
      } catch (e) {
        if (e instanceof CsvSyntaxError) throw new InputError([`${where}: ${e.message}`]);
        throw e;
      }
      if (col < 0) {
        col = fields.indexOf(column);
        if (col < 0) throw new InputError([`${where}: header has no column '${column}'; columns: ${fields.join(', ')}`]);
        continue;
      }
      field = fields[col] ?? '';
    }
    const v = Number(field);
    if (field === '' || !Number.isFinite(v) || v < 0) {
      throw new InputError([`${where}: expected a non-negative number${column !== undefined ? ` in column '${column}'` : ''}, found ${JSON.stringify(field)}`]);
    }
    values.push(v);
  }
  if (values.length === 0) throw new InputError([`${path}: empirical distribution file has no values`]);
  const arr = Float64Array.from(values);
  cache.set(cacheKey, arr);
  return arr;
}
