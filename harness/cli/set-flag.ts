import { InvalidArgumentError } from 'commander';
import { parse as parseYaml } from 'yaml';
import { parsePath } from '../scenario/paths.js';

/**
 * `--set path=value` (repeatable): override any scenario key from the command line, with the
 * path syntax error messages use (`cluster.instances=4`, `workloads[*].arrivals.ratePerSec=8`,
 * `slo={ttftMs: 500}`). The value is read as YAML, so numbers, booleans, lists and mappings work.
 */
export function collectSet(v: string, prev: (readonly [string, unknown])[] = []): (readonly [string, unknown])[] {
  const eq = v.indexOf('=');
  if (eq <= 0) throw new InvalidArgumentError(`expected path=value, e.g. cluster.instances=4, found '${v}'`);
  const path = v.slice(0, eq).trim();
  const p = parsePath(path);
  if ('error' in p) throw new InvalidArgumentError(`${path}: ${p.error}`);
  let value: unknown;
  try {
    value = parseYaml(v.slice(eq + 1));
  } catch (e) {
    throw new InvalidArgumentError(`${path}: the value is not valid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  return [...prev, [path, value] as const];
}

export const SET_HELP = 'override a scenario key: path=value, value read as YAML (repeatable; e.g. cluster.instances=4, workloads[*].arrivals.ratePerSec=8)';
