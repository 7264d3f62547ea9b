import { InvalidArgumentError } from 'commander';
import type { z } from 'zod';
import { specificIssue } from '../scenario/issues.js';
import { InputError } from '../../workloads/input-error.js';

/** Parse a number flag within bounds (commander argParser). */
export function numberFlag(min: number, max = Infinity, integer = false): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
      const kind = integer ? 'an integer' : 'a number';
      throw new InvalidArgumentError(`expected ${kind} in [${min}, ${max === Infinity ? '∞' : max}], found '${v}'`);
    }
    return n;
  };
}

/** Collect a repeatable flag into a list. */
export function collect(v: string, prev: string[] | undefined): string[] {
  return [...(prev ?? []), v];
}

/** Parse `value` with `schema`, turning issues into an InputError naming the flag of each key. */
export function parseFlags<S extends z.ZodType>(schema: S, value: unknown, flagOf: (key: string) => string): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  throw new InputError(r.error.issues.map(specificIssue).map((i) => `${flagOf(String(i.path[0] ?? ''))}: ${i.message}`));
}

/** Resolve once SIGINT or SIGTERM arrives (long-running servers wait on it). */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (sig: NodeJS.Signals): void => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(sig);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

/** camelCase scenario key → --kebab-case flag. */
export function flagName(key: string): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/**
 * The API key a server requires: `--api-key` (visible in `ps`, so discouraged), else the
 * variable named by `--api-key-env`, else $AGENTBENCH_API_KEY. A named variable that is unset
 * or empty is an error: a server that was meant to be protected must not start open.
 */
export function apiKeyFrom(flag: string | undefined, envName: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (flag !== undefined && envName !== undefined) throw new InputError(['give --api-key or --api-key-env, not both']);
  if (flag !== undefined) return flag;
  if (envName !== undefined) {
    const v = env[envName];
    if (v === undefined || v === '') throw new InputError([`--api-key-env: environment variable ${envName} is unset or empty`]);
    return v;
  }
  const d = env['AGENTBENCH_API_KEY'];
  return d === '' ? undefined : d;
}
