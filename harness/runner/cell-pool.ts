import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { InputError } from '../../workloads/input-error.js';
import type { CellResult } from './cell.js';
import type { SimCellJob } from './cell-job.js';
import { unpackCellResult, type PackedCellResult } from './cell-transfer.js';

/** What a worker posts back (cell-worker.ts): a packed result or an error. */
interface WorkerMessage {
  readonly id: number;
  readonly packed?: PackedCellResult;
  readonly error?: { name: string; message: string; stack?: string; problems?: string[] };
}

interface Pending {
  resolve(r: CellResult): void;
  reject(e: Error): void;
}

/**
 * `run --jobs N`: simulated cells on N worker threads. Each cell is independent (every random
 * stream forks by label from its seed), so where it runs does not change its result; the caller
 * consumes results in cell order, which keeps report.json and the CSVs byte-identical to a
 * one-job run. Workers run the built code (dist/harness/runner/cell-worker.js).
 */
export class CellPool {
  readonly #workers: Worker[] = [];
  readonly #idle: Worker[] = [];
  readonly #queue: { id: number; job: SimCellJob }[] = [];
  readonly #pending = new Map<number, Pending>();
  readonly #busy = new Map<Worker, number>();
  #next = 0;

  constructor(jobs: number) {
    const url = workerUrl();
    for (let i = 0; i < jobs; i++) {
      const w = new Worker(url);
      w.on('message', (m: WorkerMessage) => this.#done(w, m));
      w.on('error', (e) => this.#failAll(e));
      this.#workers.push(w);
      this.#idle.push(w);
    }
  }

  /** True when this module runs from the build (dist), so the worker is the same code as the caller. */
  static builtBesideMe(): boolean {
    return existsSync(fileURLToPath(new URL('./cell-worker.js', import.meta.url)));
  }

  /** Run one cell; resolves with its result. */
  run(job: SimCellJob): Promise<CellResult> {
    const id = this.#next++;
    return new Promise<CellResult>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#queue.push({ id, job });
      this.#pump();
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.#workers.map((w) => w.terminate()));
  }

  #pump(): void {
    while (this.#idle.length > 0 && this.#queue.length > 0) {
      const w = this.#idle.pop()!;
      const m = this.#queue.shift()!;
      this.#busy.set(w, m.id);
      w.postMessage(m);
    }
  }

  #done(w: Worker, m: WorkerMessage): void {
    this.#busy.delete(w);
    this.#idle.push(w);
    const p = this.#pending.get(m.id);
    this.#pending.delete(m.id);
    if (p) {
      if (m.error) {
        // Bad input found inside a cell stays bad input (exit 2), with its messages.
        const e = m.error.name === 'InputError' && m.error.problems ? new InputError(m.error.problems) : Object.assign(new Error(m.error.message), { stack: m.error.stack });
        p.reject(e);
      } else this.#settle(p, m.packed!);
    }
    this.#pump();
  }

  // A result this code cannot read fails its cell: thrown from the message listener it would be
  // uncaught and leave the cell's promise pending (seen when the built worker was older than the
  // sources running a test).
  #settle(p: Pending, packed: PackedCellResult): void {
    let res: CellResult;
    try {
      res = unpackCellResult(packed);
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      p.reject(new Error(`run --jobs: a worker's result could not be read (${why}); is the built worker (dist/) older than this code? run \`npm run build\``));
      return;
    }
    p.resolve(res);
  }

  #failAll(e: Error): void {
    for (const p of this.#pending.values()) p.reject(e);
    this.#pending.clear();
  }
}

// The built worker beside this file (dist), or, when this module runs from source (tests), the
// built one in dist/ of the same package.
function workerUrl(): URL {
  const here = new URL('./cell-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(here))) return here;
  const built = new URL('../../dist/harness/runner/cell-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(built))) return built;
  throw new Error('run --jobs: the built worker dist/harness/runner/cell-worker.js is missing; run `npm run build`');
}

/**
 * A pool's results taken in cell order: asking for cell k submits it and the next cells, keeping
 * at most 2 × jobs in flight or finished ahead of the one being written, so memory holds a few
 * cells whatever the run length.
 */
export class OrderedCells {
  readonly #pool: CellPool;
  readonly #jobs: readonly SimCellJob[];
  readonly #lookAhead: number;
  readonly #ahead = new Map<number, Promise<CellResult>>();

  constructor(jobs: readonly SimCellJob[], threads: number) {
    this.#pool = new CellPool(threads);
    this.#jobs = jobs;
    this.#lookAhead = 2 * threads;
  }

  /** Cell `k`'s result (cells are taken in order, each once). */
  async take(k: number): Promise<CellResult> {
    for (let i = k; i < Math.min(k + this.#lookAhead, this.#jobs.length); i++) {
      if (this.#ahead.has(i)) continue;
      const result = this.#pool.run(this.#jobs[i]!);
      result.catch(() => {}); // a later cell's failure is raised when that cell is taken, not as an unhandled rejection
      this.#ahead.set(i, result);
    }
    const result = this.#ahead.get(k)!;
    this.#ahead.delete(k);
    return result;
  }

  close(): Promise<void> {
    return this.#pool.close();
  }
}
