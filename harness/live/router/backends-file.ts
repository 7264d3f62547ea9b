import { readFileSync, statSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { InputError } from '../../../workloads/input-error.js';
import type { UpstreamSpec } from './upstream.js';

const url = z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' });
const fileSchema = z.array(z.union([url, z.strictObject({ id: z.string().min(1).optional(), url, apiKeyEnv: z.string().optional() })])).min(1);

/**
 * Backends from `--backend [id=]URL` flags and/or a YAML/JSON file (a list of URLs or
 * `{id, url, apiKeyEnv}`); ids default to i0, i1... Throws InputError naming the file and entry.
 */
export function parseBackends(flags: readonly string[], file: string | undefined, defaultKey: string | undefined): UpstreamSpec[] {
  const out: UpstreamSpec[] = [];
  const add = (id: string | undefined, u: string, apiKey: string | undefined): void => {
    out.push({ id: id ?? `i${out.length}`, url: u, ...(apiKey ? { apiKey } : {}) });
  };
  for (const f of flags) {
    const m = /^([A-Za-z0-9._-]+)=(.*)$/.exec(f);
    const u = url.safeParse(m ? m[2] : f);
    if (!u.success) throw new InputError([`--backend: expected [id=]http://host:port, found '${f}'`]);
    add(m?.[1], u.data, defaultKey);
  }
  if (file !== undefined) {
    let raw: unknown;
    try {
      raw = parseYaml(readFileSync(file, 'utf8'));
    } catch (e) {
      throw new InputError([`${file}: cannot read backends: ${(e as Error).message.split('\n')[0]}`]);
    }
    const parsed = fileSchema.safeParse(raw);
    if (!parsed.success) {
      throw new InputError(parsed.error.issues.map((i) => `${file}: ${i.path.map(String).join('.') || '(top level)'}: ${i.message} (expected a list of URLs or {id, url, apiKeyEnv})`));
    }
    for (const b of parsed.data) {
      if (typeof b === 'string') add(undefined, b, defaultKey);
      else add(b.id, b.url, b.apiKeyEnv !== undefined ? process.env[b.apiKeyEnv] : defaultKey);
    }
  }
  if (out.length === 0) throw new InputError(['router: give at least one --backend URL or a --backends-file']);
  const ids = new Set<string>();
  for (const b of out) {
    if (ids.has(b.id)) throw new InputError([`router: duplicate backend id '${b.id}'`]);
    ids.add(b.id);
  }
  return out;
}

/** Options of a {@link BackendsFileWatcher}. */
export interface BackendsFileWatcherOptions {
  readonly file: string;
  /** Read the whole backend list (flags + file); throws InputError on bad content. */
  load(): UpstreamSpec[];
  /** Put a new list in force (RouterServer.setUpstreams); returns what changed, throws if refused. */
  apply(specs: readonly UpstreamSpec[]): { readonly added: readonly UpstreamSpec[]; readonly removed: readonly UpstreamSpec[] };
  /** One line per change or refused content. */
  log(line: string): void;
  /** Stat fallback period, ms (fs.watch misses some changes, e.g. on network filesystems). */
  readonly pollMs?: number;
  /** The list in force at start (what `load()` gave). */
  readonly initial: readonly UpstreamSpec[];
}

const label = (s: UpstreamSpec): string => `${s.id}=${s.url}`;
// The key of a list for "did it change" (apiKey included: a rotated key re-creates the backend).
const listKey = (specs: readonly UpstreamSpec[]): string => JSON.stringify(specs.map((s) => [s.id, s.url, s.apiKey ?? null]));

/**
 * Re-reads the router's backends file when it changes: fs.watch on its folder (a Kubernetes
 * ConfigMap volume updates by swapping a `..data` symlink, which a watch on the file itself
 * would miss) plus a periodic stat of the file (inode, size, mtime) as a fallback. A new list is
 * applied (the router drains removed backends); bad content keeps the last good list and says why.
 */
export class BackendsFileWatcher {
  readonly #opts: BackendsFileWatcherOptions;
  #current: string;
  #stamp: string;
  #lastProblem = '';
  #watcher: FSWatcher | undefined;
  #timer: NodeJS.Timeout | undefined;
  #debounce: NodeJS.Timeout | undefined;

  constructor(opts: BackendsFileWatcherOptions) {
    this.#opts = opts;
    this.#current = listKey(opts.initial);
    this.#stamp = this.#statStamp();
  }

  start(): void {
    try {
      this.#watcher = watch(dirname(this.#opts.file), { persistent: false }, () => {
        // A swap is several events (new file, symlink rename): read once they settle.
        clearTimeout(this.#debounce);
        this.#debounce = setTimeout(() => this.check(true), 50);
        this.#debounce.unref();
      });
      this.#watcher.on('error', () => this.#watcher?.close()); // the folder went away: the stat poll goes on
    } catch {
      // No fs.watch here (some filesystems): the stat poll alone.
    }
    this.#timer = setInterval(() => this.check(false), this.#opts.pollMs ?? 2000);
    this.#timer.unref();
  }

  close(): void {
    this.#watcher?.close();
    clearInterval(this.#timer);
    clearTimeout(this.#debounce);
  }

  /**
   * Re-read the file if it changed (always when `force`) and apply a new list. Returns whether
   * the backends changed.
   */
  check(force = true): boolean {
    const stamp = this.#statStamp();
    if (!force && stamp === this.#stamp) return false;
    this.#stamp = stamp;
    const name = `router: backends file ${basename(this.#opts.file)}`;
    let specs: UpstreamSpec[];
    try {
      specs = this.#opts.load();
    } catch (e) {
      const why = e instanceof InputError ? e.problems.join('; ') : (e as Error).message;
      // The same bad content is reported once, not at every poll.
      if (why !== this.#lastProblem) this.#opts.log(`${name}: keeping the last good list: ${why}`);
      this.#lastProblem = why;
      return false;
    }
    this.#lastProblem = '';
    const key = listKey(specs);
    if (key === this.#current) return false;
    let change;
    try {
      change = this.#opts.apply(specs);
    } catch (e) {
      this.#opts.log(`${name}: keeping the last good list: ${(e as Error).message}`);
      return false;
    }
    this.#current = key;
    const parts = [
      ...(change.added.length > 0 ? [`added ${change.added.map(label).join(', ')}`] : []),
      ...(change.removed.length > 0 ? [`removed ${change.removed.map(label).join(', ')} (their requests in flight finish)`] : []),
    ];
    this.#opts.log(`${name}: ${parts.join('; ')}; now ${specs.length}: ${specs.map(label).join(', ')}`);
    return true;
  }

  // Inode, size and mtime of the file behind any symlinks ('' when it cannot be read).
  #statStamp(): string {
    try {
      const st = statSync(this.#opts.file);
      return `${st.ino}:${st.size}:${st.mtimeMs}`;
    } catch {
      return '';
    }
  }
}
