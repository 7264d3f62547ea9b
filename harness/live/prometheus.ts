/** Label set of one series. */
export type Labels = Readonly<Record<string, string>>;

function labelText(labels: Labels): string {
  const keys = Object.keys(labels);
  if (keys.length === 0) return '';
  return `{${keys.map((k) => `${k}="${labels[k]!.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`).join(',')}}`;
}

function num(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return '+Inf';
  if (x === -Infinity) return '-Inf';
  return String(x);
}

/** A cumulative histogram with fixed bucket upper bounds (Prometheus semantics). */
export class PromHistogram {
  readonly bounds: readonly number[];
  readonly #counts: Float64Array;
  #sum = 0;
  #n = 0;

  constructor(bounds: readonly number[]) {
    this.bounds = bounds;
    this.#counts = new Float64Array(bounds.length);
  }

  observe(v: number): void {
    if (!Number.isFinite(v)) return;
    this.#n++;
    this.#sum += v;
    for (let i = 0; i < this.bounds.length; i++) if (v <= this.bounds[i]!) this.#counts[i]!++;
  }

  get count(): number {
    return this.#n;
  }

  reset(): void {
    this.#counts.fill(0);
    this.#sum = 0;
    this.#n = 0;
  }

  get sum(): number {
    return this.#sum;
  }

  /** Exposition lines of this histogram as series `name` with `labels`. */
  lines(name: string, labels: Labels): string[] {
    const out: string[] = [];
    this.bounds.forEach((b, i) => out.push(`${name}_bucket${labelText({ ...labels, le: num(b) })} ${this.#counts[i]}`));
    out.push(`${name}_bucket${labelText({ ...labels, le: '+Inf' })} ${this.#n}`);
    out.push(`${name}_sum${labelText(labels)} ${num(this.#sum)}`);
    out.push(`${name}_count${labelText(labels)} ${this.#n}`);
    return out;
  }
}

/** Builds a Prometheus text-format (0.0.4) page: HELP/TYPE once per family, then its series. */
export class PromWriter {
  readonly #lines: string[] = [];

  /** A family with one or more samples. */
  family(name: string, type: 'counter' | 'gauge', help: string, samples: readonly (readonly [Labels, number])[]): this {
    this.#lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, v] of samples) this.#lines.push(`${name}${labelText(labels)} ${num(v)}`);
    return this;
  }

  /** A histogram family (one histogram per label set). */
  histogram(name: string, help: string, series: readonly (readonly [Labels, PromHistogram])[]): this {
    this.#lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} histogram`);
    for (const [labels, h] of series) this.#lines.push(...h.lines(name, labels));
    return this;
  }

  text(): string {
    return `${this.#lines.join('\n')}\n`;
  }
}

/** Content-Type of the text exposition format. */
export const PROM_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** One parsed sample. */
export interface PromSample {
  readonly name: string;
  readonly labels: Labels;
  readonly value: number;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Parse the samples of a text-format page (comments skipped; malformed lines ignored). */
export function parsePrometheus(text: string): PromSample[] {
  const out: PromSample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = SAMPLE.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    if (m[3]) for (const l of m[3].matchAll(LABEL)) labels[l[1]!] = l[2]!.replace(/\\(.)/g, (_s, c: string) => (c === 'n' ? '\n' : c));
    const v = m[4] === '+Inf' ? Infinity : m[4] === '-Inf' ? -Infinity : Number(m[4]);
    out.push({ name: m[1]!, labels, value: v });
  }
  return out;
}
