import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { LineCounter, parseDocument, isNode, type Document } from 'yaml';
import type { z } from 'zod';
import { InputError } from '../../workloads/input-error.js';
import { specificIssue } from './issues.js';
import { describeFound as describe, pathLabel, valueAt } from '../../reports/found.js';
import { scenarioSchema, type Scenario } from './schema.js';
import { setPath } from './paths.js';
import { expandSweep } from './sweep.js';
import { instantiatePolicy, loadScenarioPolicyModules, policyRefsOf, withPolicyModules } from './policy-modules.js';
import type { PolicyRef } from '../../policies/registry.js';
import { gateableMetrics } from './gate-metrics.js';
import { unknownGateMetrics, wrongWayGates } from '../../reports/metric-names.js';
import { metricDirection } from '../../reports/compare/direction.js';

/** A scenario as loaded from a file. */
export interface LoadedScenario {
  readonly file: string;
  readonly scenario: Scenario;
  /** sha256 of the resolved scenario (defaults applied, keys sorted; every sweep point). */
  readonly hash: string;
  /**
   * The sweep points, each a whole validated scenario (one point, labelled '', without a
   * `sweep:`); `scenario` is the first point's.
   */
  readonly points?: readonly { readonly label: string; readonly values: Readonly<Record<string, number | string | boolean>>; readonly scenario: Scenario }[];
}

/** Command-line overrides applied to the raw scenario before validation (so they are hashed). */
export interface ScenarioOverrides {
  readonly seeds?: number[];
  readonly mode?: 'sim' | 'live';
  /** Skip (and count) malformed rows of every trace workload instead of failing. */
  readonly skipBadRows?: boolean;
  /** `--set path=value` pairs, applied in order (value already parsed as YAML). */
  readonly set?: readonly (readonly [path: string, value: unknown])[];
}

/**
 * Largest scenario file read. Scenarios are a few KB; parsing YAML takes ~70× its size in memory,
 * so a 50 MB file would take a minute and gigabytes before any error. Bulk data belongs in trace
 * or empirical files, which are streamed.
 */
export const MAX_SCENARIO_BYTES = 4 * 1024 * 1024;

/** Read, parse and validate a scenario file; throws InputError naming file:line:col. */
export function loadScenario(file: string, overrides: ScenarioOverrides = {}): LoadedScenario {
  return parseScenario(readScenarioText(file), file, overrides);
}

/**
 * {@link loadScenario} for scenarios that may name user policy modules
 * (`routing: { module: ./policies/my-router.js }`): the modules are imported (asynchronous)
 * before validation checks their options. The CLI loads every scenario this way.
 */
export async function loadScenarioAsync(file: string, overrides: ScenarioOverrides = {}): Promise<LoadedScenario> {
  return parseScenarioAsync(readScenarioText(file), file, overrides);
}

function readScenarioText(file: string): string {
  try {
    const st = statSync(file);
    if (st.isDirectory()) throw new InputError([`${file}: cannot read scenario: expected a YAML file, found a folder`]);
    if (st.size > MAX_SCENARIO_BYTES) {
      throw new InputError([`${file}: scenario of ${(st.size / 1048576).toFixed(1)} MiB; expected at most ${MAX_SCENARIO_BYTES / 1048576} MiB (put bulk data in a trace or empirical file)`]);
    }
    return readFileSync(file, 'utf8');
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError([`${file}: cannot read scenario: ${(e as Error).message}`]);
  }
}

/** Parse and validate scenario text (file is used in messages only). */
export function parseScenario(text: string, file: string, overrides: ScenarioOverrides = {}): LoadedScenario {
  return validatePoints(parseRaw(text, file, overrides), file, new Map());
}

/** {@link parseScenario}, loading the user policy modules it names first (paths relative to `file`'s folder). */
export async function parseScenarioAsync(text: string, file: string, overrides: ScenarioOverrides = {}): Promise<LoadedScenario> {
  const raw = parseRaw(text, file, overrides);
  const modules = new Map<string, string>();
  for (const pt of raw.points) {
    const where = (path: readonly (string | number)[]): string => {
      const { line, col } = locate(raw.doc, raw.lineCounter, path);
      return `${file}:${line}:${col}: ${pt.label ? `sweep point ${pt.label}: ` : ''}${pathLabel(path)}`;
    };
    for (const [spec, url] of await loadScenarioPolicyModules(pt.raw, dirname(resolve(file)), where)) modules.set(spec, url);
  }
  const loaded = validatePoints(raw, file, modules);
  // Build each module's policy once, so a module that implements another interface (a router
  // named as `scheduling:`) fails here, at its key, not in the first cell.
  for (const pt of loaded.points ?? []) {
    for (const { path, slot, node } of policyRefsOf(pt.scenario)) {
      if (node['module'] === undefined) continue;
      try {
        instantiatePolicy(slot, node as unknown as PolicyRef, { blockSize: pt.scenario.cluster.blockSize });
      } catch (e) {
        const { line, col } = locate(raw.doc, raw.lineCounter, path);
        const why = e instanceof InputError ? e.problems.join('; ') : (e as Error).message;
        throw new InputError([`${file}:${line}:${col}: ${pathLabel(path)}: ${why}`]);
      }
    }
  }
  return loaded;
}

interface RawScenario {
  readonly doc: Document;
  readonly lineCounter: LineCounter;
  readonly points: Exclude<ReturnType<typeof expandSweep>, { errors: string[] }>;
}

// YAML → plain data with the command-line overrides applied and the sweep expanded.
function parseRaw(text: string, file: string, overrides: ScenarioOverrides): RawScenario {
  const lineCounter = new LineCounter();
  // `merge`: YAML 1.1 merge keys (`<<: *base`), which scenario authors use to share a workload's settings.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, merge: true });
  if (doc.errors.length > 0) {
    throw new InputError(doc.errors.map((e) => {
      const { line, col } = lineCounter.linePos(e.pos[0]);
      return `${file}:${line}:${col}: YAML syntax error: ${e.message.split('\n')[0]}`;
    }));
  }
  let raw: unknown;
  try {
    raw = doc.toJS();
  } catch (e) {
    // yaml refuses alias expansions that would blow up (a "billion laughs" file) here.
    throw new InputError([`${file}: YAML: ${(e as Error).message}`]);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new InputError([`${file}:1:1: expected a mapping of scenario keys (name, cluster, policies, workloads...), found ${describe(raw)}`]);
  }
  if (overrides.seeds) (raw as Record<string, unknown>)['seeds'] = overrides.seeds;
  if (overrides.mode) (raw as Record<string, unknown>)['mode'] = overrides.mode;
  if (overrides.skipBadRows) {
    const workloads = (raw as Record<string, unknown>)['workloads'];
    if (Array.isArray(workloads)) {
      for (const w of workloads) if (w && typeof w === 'object' && (w as Record<string, unknown>)['pattern'] === 'trace') (w as Record<string, unknown>)['skipBadRows'] = true;
    }
  }
  for (const [path, value] of overrides.set ?? []) {
    const e = setPath(raw as Record<string, unknown>, path, value);
    if (e) throw new InputError([`--set ${e.error}`]);
  }
  const expanded = expandSweep(raw as Record<string, unknown>);
  if ('errors' in expanded) throw new InputError(expanded.errors.map((m) => `${file}: ${m}`));
  return { doc, lineCounter, points: expanded };
}

// Validate every sweep point (user policy modules resolvable through `modules`) and hash them.
function validatePoints({ doc, lineCounter, points: raws }: RawScenario, file: string, modules: ReadonlyMap<string, string>): LoadedScenario {
  const points = raws.map((pt) => {
    const parsed = withPolicyModules(modules, () => scenarioSchema.safeParse(pt.raw));
    if (!parsed.success) {
      const prefix = pt.label ? `sweep point ${pt.label}: ` : '';
      throw new InputError(parsed.error.issues.map((issue) => prefix + formatIssue(issue, doc, lineCounter, pt.raw, file)));
    }
    return { label: pt.label, values: pt.values, scenario: parsed.data };
  });
  checkGatesAndRanking(points[0]!.scenario, doc, lineCounter, file);
  // Gates judge results but do not change them: keep them out of the hash, so tightening a gate
  // does not make the committed baseline incomparable. The same for the leaderboards' ranking
  // metric: it orders the report, not the results. A user policy module is hashed by its path as
  // written (its `kind`), not by where the checkout sits (`module`, the file URL), so a baseline
  // made on one machine compares on another, and a change to the module's code is what the gate judges.
  const hashed = points.map((p) => {
    const { gates: _gates, report: { rankBy: _rankBy, ...reportHashed }, ...rest } = p.scenario;
    return withoutModuleUrls({ ...rest, report: reportHashed });
  });
  return { file, scenario: points[0]!.scenario, points, hash: scenarioHash(hashed.length === 1 && points[0]!.label === '' ? hashed[0] : hashed) };
}

// A copy of a parsed scenario whose policy references carry no `module` file URL.
function withoutModuleUrls<T>(scenario: T): T {
  const refs = [...policyRefsOf(scenario)];
  if (!refs.some((r) => r.node['module'] !== undefined)) return scenario;
  const copy = structuredClone(scenario);
  for (const { node } of policyRefsOf(copy)) delete node['module'];
  return copy;
}

// A gate on a metric the runs will not emit could never judge anything: refuse it now, not
// after the run; likewise a ranking metric without a known better direction.
function checkGatesAndRanking(sc: Scenario, doc: Document, lineCounter: LineCounter, file: string): void {
  const gateProblems = unknownGateMetrics(Object.keys(sc.gates ?? {}), gateableMetrics(sc), (m) => {
    const { line, col } = locate(doc, lineCounter, ['gates', m]);
    return `${file}:${line}:${col}: gates.${m}`;
  });
  gateProblems.push(...wrongWayGates(sc.gates ?? {}, (m, kind) => {
    const { line, col } = locate(doc, lineCounter, ['gates', m, kind]);
    return `${file}:${line}:${col}: gates.${m}.${kind}`;
  }));
  if (gateProblems.length > 0) throw new InputError(gateProblems);
  const rankBy = sc.report.rankBy;
  if (rankBy !== undefined) {
    const { line, col } = locate(doc, lineCounter, ['report', 'rankBy']);
    const ranked = gateableMetrics(sc).filter((m) => metricDirection(m) !== undefined);
    if (!ranked.includes(rankBy)) {
      throw new InputError([`${file}:${line}:${col}: report.rankBy: expected a summary metric whose better direction is known, found '${rankBy}'; valid: ${ranked.join(', ')}`]);
    }
  }
}

/** sha256 of a value's canonical JSON (object keys sorted at every level). */
export function scenarioHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}

function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const keys = Object.keys(v).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}




// Where in the file a key path is: the deepest existing node on the path.
function locate(doc: Document, lc: LineCounter, path: readonly PropertyKey[]): { line: number; col: number } {
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n) as (string | number)[], true);
    if (isNode(node) && node.range) return lc.linePos(node.range[0]);
  }
  return { line: 1, col: 1 };
}

function formatIssue(issue: z.core.$ZodIssue, doc: Document, lc: LineCounter, raw: unknown, file: string): string {
  const path = issue.path;
  const { line, col } = locate(doc, lc, path);
  const found = valueAt(raw, path);
  const where = `${file}:${line}:${col}: ${pathLabel(path)}`;
  switch (issue.code) {
    case 'invalid_type':
      if (found === undefined) return `${where}: missing key (expected ${issue.expected})`;
      return `${where}: expected ${issue.expected}, found ${describe(found)}`;
    case 'too_small': {
      const op = issue.inclusive ? '>=' : '>';
      const what = issue.origin === 'array' ? `at least ${String(issue.minimum)} item(s)` : issue.origin === 'string' ? `at least ${String(issue.minimum)} character(s)` : `a number ${op} ${String(issue.minimum)}`;
      return `${where}: expected ${what}, found ${describe(found)}`;
    }
    case 'too_big': {
      const op = issue.inclusive ? '<=' : '<';
      const what = issue.origin === 'array' ? `at most ${String(issue.maximum)} item(s)` : issue.origin === 'string' ? `at most ${String(issue.maximum)} character(s)` : `a number ${op} ${String(issue.maximum)}`;
      return `${where}: expected ${what}, found ${describe(found)}`;
    }
    case 'invalid_value':
      return `${where}: expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, found ${describe(found)}`;
    case 'unrecognized_keys': {
      const keys = issue.keys.map((k) => `'${k}'`).join(', ');
      const valid = objectKeysAt(scenarioSchema, path, raw);
      const known = valid ? `; valid keys: ${valid.join(', ')}` : '';
      const { line: kl, col: kc } = locate(doc, lc, [...path, issue.keys[0]!]);
      return `${file}:${kl}:${kc}: ${pathLabel(path)}: unknown key ${keys}${known}`;
    }
    case 'invalid_union': {
      const disc = (issue as { discriminator?: string }).discriminator;
      if (disc !== undefined) {
        const discPath = path[path.length - 1] === disc ? path : [...path, disc];
        const { line: dl, col: dc } = locate(doc, lc, discPath);
        const options = (issue as { options?: unknown[] }).options;
        const list = options ? `; valid: ${options.map(String).join(', ')}` : '';
        return `${file}:${dl}:${dc}: ${pathLabel(discPath)}: unknown ${disc} ${describe(valueAt(raw, discPath))}${list}`;
      }
      if (found === undefined) return `${where}: missing key (expected a number or a mapping)`;
      const branch = specificIssue(issue);
      if (branch !== issue) return formatIssue(branch, doc, lc, raw, file);
      return `${where}: ${issue.message}, found ${describe(found)}`;
    }
    case 'invalid_format':
      return `${where}: ${issue.message}, found ${describe(found)}`;
    default:
      return `${where}: ${issue.message}${found !== undefined && issue.code !== 'custom' ? `, found ${describe(found)}` : ''}`;
  }
}

/** The keys an object schema accepts at `path` (following the data through unions), if known. */
function objectKeysAt(schema: z.ZodType, path: readonly PropertyKey[], raw: unknown): string[] | undefined {
  let s: z.core.$ZodType | undefined = schema;
  let v = raw;
  let i = 0;
  for (let guard = 0; s && guard < 64; guard++) {
    const def = s._zod.def as unknown as Record<string, unknown> & { type: string };
    switch (def.type) {
      case 'optional':
      case 'nullable':
      case 'default':
      case 'prefault':
        s = def['innerType'] as z.core.$ZodType;
        continue;
      case 'pipe':
        s = def['in'] as z.core.$ZodType;
        continue;
      case 'union': {
        const options = def['options'] as z.core.$ZodType[];
        const disc = def['discriminator'] as string | undefined;
        const dv = disc !== undefined ? valueAt(v, [disc]) : undefined;
        s = options.find((o) => {
          const od = o._zod.def as unknown as { type: string; shape?: Record<string, z.core.$ZodType> };
          if (od.type !== 'object') return false;
          if (disc === undefined) return true;
          const lit = od.shape?.[disc]?._zod.def as unknown as { values?: unknown[] } | undefined;
          return lit?.values?.includes(dv) ?? false;
        });
        continue;
      }
      case 'object': {
        const shape = def['shape'] as Record<string, z.core.$ZodType>;
        if (i === path.length) return Object.keys(shape);
        const k = path[i++]!;
        s = shape[String(k)];
        v = valueAt(v, [k]);
        continue;
      }
      case 'record': {
        if (i === path.length) return undefined;
        const k = path[i++]!;
        s = def['valueType'] as z.core.$ZodType;
        v = valueAt(v, [k]);
        continue;
      }
      case 'array': {
        if (i === path.length) return undefined;
        const k = path[i++]!;
        s = def['element'] as z.core.$ZodType;
        v = valueAt(v, [k]);
        continue;
      }
      default:
        return undefined;
    }
  }
  return undefined;
}
