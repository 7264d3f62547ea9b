/**
 * Scenario key paths, the syntax error messages already use: `cluster.instances`,
 * `workloads[0].arrivals.ratePerSec`, and `[*]` for every element of a list
 * (`workloads[*].arrivals.ratePerSec`). Used by `--set` and `sweep:`.
 */
export type PathStep = { readonly key: string } | { readonly index: number } | { readonly all: true };

/** Parse a path; an error message when it is malformed. */
export function parsePath(path: string): PathStep[] | { error: string } {
  const steps: PathStep[] = [];
  const re = /([A-Za-z_][A-Za-z0-9_]*)|\[(\d+|\*)\]|(\.)/gy;
  let expectKey = true;
  let m: RegExpExecArray | null;
  let pos = 0;
  while (pos < path.length && (m = re.exec(path)) !== null) {
    pos = re.lastIndex;
    if (m[1] !== undefined) {
      if (!expectKey) return { error: `expected '.' or '[' before '${m[1]}' at column ${m.index + 1}` };
      steps.push({ key: m[1] });
      expectKey = false;
    } else if (m[2] !== undefined) {
      if (expectKey) return { error: `expected a key before '[' at column ${m.index + 1}` };
      steps.push(m[2] === '*' ? { all: true } : { index: Number(m[2]) });
    } else {
      if (expectKey) return { error: `unexpected '.' at column ${m.index + 1}` };
      expectKey = true;
    }
  }
  if (pos !== path.length) return { error: `unexpected '${path[pos]}' at column ${pos + 1}` };
  if (steps.length === 0 || expectKey) return { error: 'expected a key path such as cluster.instances or workloads[*].arrivals.ratePerSec' };
  return steps;
}

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Set `value` at `path` in a raw (not yet validated) scenario, creating missing mapping keys on
 * the way (a default being overridden); an error naming the first step that does not exist.
 */
export function setPath(root: Record<string, unknown>, path: string, value: unknown): { error: string } | undefined {
  const steps = parsePath(path);
  if ('error' in steps) return { error: `${path}: ${steps.error}` };
  return setSteps(root, steps, 0, value, path);
}

function setSteps(node: unknown, steps: readonly PathStep[], i: number, value: unknown, path: string): { error: string } | undefined {
  const step = steps[i]!;
  const last = i === steps.length - 1;
  const where = describeSteps(steps.slice(0, i)) || 'the scenario';
  if ('key' in step) {
    if (!isObj(node)) return { error: `${path}: ${where} is not a mapping` };
    if (last) {
      node[step.key] = value;
      return undefined;
    }
    if (node[step.key] === undefined) node[step.key] = 'index' in steps[i + 1]! || 'all' in steps[i + 1]! ? [] : {};
    return setSteps(node[step.key], steps, i + 1, value, path);
  }
  if (!Array.isArray(node)) return { error: `${path}: ${where} is not a list` };
  const targets = 'all' in step ? node.map((_, k) => k) : [step.index];
  for (const k of targets) {
    if (k >= node.length) return { error: `${path}: ${where} has ${node.length} entr${node.length === 1 ? 'y' : 'ies'}, no [${k}]` };
    if (last) node[k] = value;
    else {
      const e = setSteps(node[k], steps, i + 1, value, path);
      if (e) return e;
    }
  }
  return undefined;
}

function describeSteps(steps: readonly PathStep[]): string {
  return steps.map((s, i) => ('key' in s ? `${i > 0 ? '.' : ''}${s.key}` : 'all' in s ? '[*]' : `[${s.index}]`)).join('');
}
