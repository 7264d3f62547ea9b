import { existsSync, statSync } from 'node:fs';
import { extname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { instantiate, type PolicyContext, type PolicyFactory, type PolicyRef } from '../../policies/registry.js';
import { ROUTING_POLICIES } from '../../policies/routing/registry.js';
import { SCHEDULING_POLICIES } from '../../policies/scheduling/registry.js';
import { EVICTION_POLICIES } from '../../policies/kv/registry.js';
import type { RoutingPolicy } from '../../policies/types.js';
import type { SchedulingPolicy } from '../../policies/scheduling/types.js';
import type { EvictionPolicy } from '../../policies/kv/eviction/types.js';
import { InputError } from '../../workloads/input-error.js';
import { describeFound } from '../../reports/found.js';

/**
 * User policy modules: a scenario names `routing: { module: ./policies/my-router.js, ...options }`
 * (same for `scheduling` and `eviction`), a file whose default export is built with the public
 * `definePolicy`. Modules are loaded with `import()` (asynchronous) before the synchronous zod
 * validation runs, which then finds them here by file URL, exactly like a built-in name in its
 * registry. Node caches modules per process; this map only remembers which were checked.
 */

/** The policy interfaces a module may implement. */
export type PolicySlot = 'routing' | 'scheduling' | 'eviction';

/** The interface type of each slot. */
export interface SlotPolicy {
  routing: RoutingPolicy;
  scheduling: SchedulingPolicy;
  eviction: EvictionPolicy;
}

const BUILT_IN: { readonly [S in PolicySlot]: Readonly<Record<string, PolicyFactory<SlotPolicy[S]>>> } = {
  routing: ROUTING_POLICIES, scheduling: SCHEDULING_POLICIES, eviction: EVICTION_POLICIES,
};

/** How each slot is named in messages. */
export const SLOT_WHAT: Readonly<Record<PolicySlot, string>> = { routing: 'routing policy', scheduling: 'scheduling policy', eviction: 'eviction policy' };

/** The methods an implementation of each interface must have (policies/types.ts and friends). */
export const SLOT_METHODS: Readonly<Record<PolicySlot, readonly string[]>> = {
  routing: ['route'],
  scheduling: ['newQueue', 'preemptionVictim'],
  eviction: ['init', 'onFree', 'onTouch', 'popFree'],
};

/** A checked module: its factory and the path as the scenario wrote it (its display name). */
export interface LoadedPolicyModule {
  readonly url: string;
  readonly label: string;
  readonly factory: PolicyFactory<unknown>;
}

const loaded = new Map<string, LoadedPolicyModule>();

/** Extensions Node loads as JavaScript, and those it loads only when it strips types. */
const JS_EXT = new Set(['.js', '.mjs', '.cjs']);
const TS_EXT = new Set(['.ts', '.mts', '.cts']);

/** Whether the running Node strips TypeScript types (22.6+ with --experimental-strip-types, default from 23.6). */
export function nodeStripsTypes(): boolean {
  return Boolean((process.features as { typescript?: string | false }).typescript);
}

/**
 * Resolve `spec` (a path relative to `baseDir`, named `base` in messages, or absolute), import it and check its default
 * export; returns its file URL. `where` prefixes every message (file and key path). Throws
 * InputError (exit 2) for a missing file, a type-stripping Node that is not there, a module
 * that fails to load, and a default export that is not a `definePolicy` result.
 */
export async function loadPolicyModule(spec: string, baseDir: string, where: string, base = "the scenario's folder"): Promise<string> {
  if (!/^(\.{1,2}[\\/]|[\\/]|[A-Za-z]:[\\/]|file:)/.test(spec)) {
    throw new InputError([`${where}: expected a path to a policy module relative to ${base} (./policies/my-router.js), found '${spec}'`]);
  }
  const file = spec.startsWith('file:') ? fileURLToPath(spec) : isAbsolute(spec) ? spec : resolve(baseDir, spec);
  if (!existsSync(file) || !statSync(file).isFile()) {
    throw new InputError([`${where}: policy module not found: ${file} (the path '${spec}' is relative to ${base} ${baseDir})`]);
  }
  const ext = extname(file);
  if (TS_EXT.has(ext) && !nodeStripsTypes()) {
    throw new InputError([`${where}: ${spec} is TypeScript, and this Node (${process.version}) does not strip types: use Node >= 22.6 with --experimental-strip-types (the default from Node 23.6), or compile the module to .js`]);
  }
  if (!JS_EXT.has(ext) && !TS_EXT.has(ext)) {
    throw new InputError([`${where}: expected a policy module ending in .js, .mjs, .cjs (or .ts where Node strips types), found '${spec}'`]);
  }
  const url = pathToFileURL(file).href;
  await importPolicyModule(url, spec, where);
  return url;
}

/** Import a module by file URL (once per process) and check its default export. */
export async function importPolicyModule(url: string, label: string, where: string): Promise<LoadedPolicyModule> {
  const known = loaded.get(url);
  if (known) return known;
  let mod: Record<string, unknown>;
  try {
    mod = await import(url) as Record<string, unknown>;
  } catch (e) {
    throw new InputError([`${where}: cannot load policy module ${label}: ${(e as Error).message.split('\n')[0]}`]);
  }
  const problem = factoryProblem(mod['default']);
  if (problem !== undefined) {
    throw new InputError([`${where}: ${label}: expected a default export built with definePolicy({ summary, options, make }) from '@agentbench/cli', ${problem}`]);
  }
  const entry: LoadedPolicyModule = { url, label, factory: mod['default'] as PolicyFactory<unknown> };
  loaded.set(url, entry);
  return entry;
}

// What is wrong with a would-be factory, or undefined when it has the shape definePolicy gives.
function factoryProblem(d: unknown): string | undefined {
  if (d === undefined) return 'found no default export';
  if (d === null || typeof d !== 'object') return `found ${describeFound(d)}`;
  const f = d as Record<string, unknown>;
  if (typeof f['summary'] !== 'string') return `found summary ${describeFound(f['summary'])} (expected a string)`;
  const o = f['options'] as { safeParse?: unknown } | undefined;
  if (o === null || typeof o !== 'object' || typeof o.safeParse !== 'function') return `found options ${describeFound(f['options'])} (expected a zod schema, e.g. z.strictObject({}))`;
  if (typeof f['make'] !== 'function') return `found make ${describeFound(f['make'])} (expected a function (options, ctx) => policy)`;
  return undefined;
}

/**
 * Build the policy a resolved reference names: a built-in by `kind`, or a loaded module by its
 * file URL. A module's `make` result is checked for the interface's methods, so a routing
 * module used as `scheduling:` fails with what was expected instead of deep in the engine.
 */
export function instantiatePolicy<S extends PolicySlot>(slot: S, ref: PolicyRef, ctx: PolicyContext): SlotPolicy[S] {
  if (ref.module === undefined) return instantiate(BUILT_IN[slot], ref, ctx, SLOT_WHAT[slot]);
  const m = loaded.get(ref.module);
  if (!m) throw new Error(`policy module ${ref.kind} (${ref.module}) was not loaded: load the scenario with loadScenarioAsync, or call ensurePolicyModules first`);
  const policy = m.factory.make(m.factory.options.parse(ref.options) as never, ctx);
  const missing = policyShapeProblem(slot, policy);
  if (missing !== undefined) throw new InputError([`${SLOT_WHAT[slot]} module ${ref.kind}: make() ${missing}`]);
  return policy as SlotPolicy[S];
}

/** Why `policy` is not an implementation of the slot's interface, or undefined. */
export function policyShapeProblem(slot: PolicySlot, policy: unknown): string | undefined {
  if (policy === null || typeof policy !== 'object') return `returned ${describeFound(policy)}, expected a ${SLOT_WHAT[slot]} object with ${SLOT_METHODS[slot].map((m) => `${m}()`).join(', ')}`;
  const missing = SLOT_METHODS[slot].filter((k) => typeof (policy as Record<string, unknown>)[k] !== 'function');
  if (missing.length === 0) return undefined;
  const other = (Object.keys(SLOT_METHODS) as PolicySlot[]).find((s) => s !== slot && SLOT_METHODS[s].every((k) => typeof (policy as Record<string, unknown>)[k] === 'function'));
  return `returned an object without ${missing.map((m) => `${m}()`).join(', ')}, expected a ${SLOT_WHAT[slot]}${other ? ` (it looks like a ${SLOT_WHAT[other]})` : ''}`;
}

/** Where policy references sit in a policy entry, and which interface each is. */
export const POLICY_REF_PATHS: readonly (readonly [path: readonly string[], slot: PolicySlot])[] = [
  [['routing'], 'routing'],
  [['scheduling'], 'scheduling'],
  [['eviction'], 'eviction'],
  [['kvTiers', 'cpu', 'eviction'], 'eviction'],
  [['kvTiers', 'remote', 'eviction'], 'eviction'],
  [['disaggregation', 'prefillRouting'], 'routing'],
];

/** Each policy reference of a (raw or parsed) scenario's entries, with its key path and slot. */
export function* policyRefsOf(scenario: unknown): Generator<{ readonly path: readonly (string | number)[]; readonly slot: PolicySlot; readonly node: Record<string, unknown> }> {
  const entries = (scenario as { policies?: unknown } | null)?.policies;
  if (!Array.isArray(entries)) return;
  for (const [i, e] of entries.entries()) {
    for (const [path, slot] of POLICY_REF_PATHS) {
      let node: unknown = e;
      for (const k of path) node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[k] : undefined;
      if (node !== null && typeof node === 'object' && !Array.isArray(node)) yield { path: ['policies', i, ...path], slot, node: node as Record<string, unknown> };
    }
  }
}

/**
 * Load the modules a raw scenario names (before validation); returns each path as written →
 * the loaded file URL, for {@link withPolicyModules}. `where(path)` names a key path in messages.
 */
export async function loadScenarioPolicyModules(raw: unknown, baseDir: string, where: (path: readonly (string | number)[]) => string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const { path, node } of policyRefsOf(raw)) {
    const spec = node['module'];
    // A non-string is reported by the schema, with its position.
    if (typeof spec === 'string' && !out.has(spec)) out.set(spec, await loadPolicyModule(spec, baseDir, where([...path, 'module'])));
  }
  return out;
}

// The modules of the scenario being validated: set only while the (synchronous) zod parse runs,
// so the schema resolves `module:` paths relative to that scenario without rewriting its text.
let resolving: ReadonlyMap<string, string> | undefined;

/** Run `validate` (a synchronous zod parse) with `modules` (path as written → file URL) resolvable. */
export function withPolicyModules<T>(modules: ReadonlyMap<string, string>, validate: () => T): T {
  const prev = resolving;
  resolving = modules;
  try {
    return validate();
  } finally {
    resolving = prev;
  }
}

/** The loaded module a `module:` path of the scenario being validated names, if it was loaded. */
export function resolvePolicyModule(spec: string): LoadedPolicyModule | undefined {
  const url = resolving?.get(spec);
  return url === undefined ? undefined : loaded.get(url);
}

/** Load every module a parsed scenario's references name (a worker thread, before its first cell). */
export async function ensurePolicyModules(scenario: unknown): Promise<void> {
  for (const { path, node } of policyRefsOf(scenario)) {
    if (typeof node['module'] === 'string' && typeof node['kind'] === 'string') await importPolicyModule(node['module'], node['kind'], path.join('.'));
  }
}
