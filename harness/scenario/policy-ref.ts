import { z } from 'zod';
import type { PolicyFactory, PolicyRef } from '../../policies/registry.js';
import { resolvePolicyModule } from './policy-modules.js';

/**
 * A reference to a registered implementation, as YAML writes it: a bare name
 * (`routing: round-robin`) or an object with `kind` and options
 * (`routing: { kind: prefix-aware, minMatchTokens: 64 }`). Unknown names list the valid ones;
 * options are checked by the implementation's own strict schema. With `modules`, a user module
 * may stand in for a name (`routing: { module: ./policies/my-router.js, ...options }`): loaded
 * before validation (policy-modules.ts), then treated exactly like a registered implementation.
 */
export function policyRefSchema(registry: Readonly<Record<string, PolicyFactory<unknown>>>, what: string, modules = false) {
  const names = Object.keys(registry);
  const shapes = modules
    ? [z.string(), z.looseObject({ kind: z.string() }), z.looseObject({ module: z.string() })] as const
    : [z.string(), z.looseObject({ kind: z.string() })] as const;
  return z
    .union(shapes, {
      error: modules ? `expected a ${what} name, { kind: <name>, ...options } or { module: <path>, ...options }` : `expected a ${what} name or { kind: <name>, ...options }`,
    })
    .transform((v: string | Record<string, unknown>, ctx): PolicyRef => {
      if (typeof v !== 'string' && typeof v['module'] === 'string') return moduleRef(v, v['module'], what, ctx);
      const kind = typeof v === 'string' ? v : v['kind'] as string;
      const factory = registry[kind];
      if (!factory) {
        ctx.issues.push({
          code: 'custom', input: kind, path: typeof v === 'string' ? [] : ['kind'],
          message: `unknown ${what} '${kind}'; valid: ${names.join(', ')}`,
        });
        return z.NEVER;
      }
      const { kind: _kind, ...rest } = typeof v === 'string' ? { kind } : v;
      const options = parseOptions(factory, rest, v, `${what} '${kind}'`, ctx);
      return options === undefined ? z.NEVER : { kind, options, given: rest };
    });
}

type Ctx = z.core.$RefinementCtx<unknown>;

// A `{ module: <path>, ...options }` reference: the loaded module's factory checks the options.
function moduleRef(v: Record<string, unknown>, spec: string, what: string, ctx: Ctx): PolicyRef {
  if ('kind' in v) {
    ctx.issues.push({ code: 'custom', input: v, path: ['kind'], message: `give kind (a built-in ${what}) or module (your own), not both` });
    return z.NEVER;
  }
  const m = resolvePolicyModule(spec);
  if (!m) {
    ctx.issues.push({
      code: 'custom', input: spec, path: ['module'],
      message: `policy module '${spec}' was not loaded: a scenario naming a module must be loaded with loadScenarioAsync (the agentbench CLI does)`,
    });
    return z.NEVER;
  }
  const { module: _module, ...rest } = v;
  const options = parseOptions(m.factory, rest, v, `${what} module '${spec}'`, ctx);
  return options === undefined ? z.NEVER : { kind: spec, module: m.url, options, given: rest };
}

// Parse the options with the implementation's schema; issues go to `ctx` (unknown keys listing the valid ones).
function parseOptions(factory: PolicyFactory<unknown>, rest: Record<string, unknown>, v: unknown, named: string, ctx: Ctx): Record<string, unknown> | undefined {
  const parsed = factory.options.safeParse(rest);
  if (parsed.success) return parsed.data as Record<string, unknown>;
  for (const issue of parsed.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      const valid = Object.keys((factory.options as unknown as { shape?: object }).shape ?? {});
      ctx.issues.push({
        code: 'custom', input: v, path: [issue.keys[0]!],
        message: `unknown option ${issue.keys.map((k) => `'${k}'`).join(', ')} for ${named}; valid options: ${valid.length > 0 ? valid.join(', ') : '(none)'}`,
      });
    } else ctx.issues.push(issue as never);
  }
  return undefined;
}

/** Display name of a reference: the kind, with the options the scenario gave, if any. */
export function refLabel(ref: PolicyRef): string {
  const opts = Object.entries(ref.given ?? ref.options);
  return opts.length === 0 ? ref.kind : `${ref.kind}(${opts.map(([k, v]) => `${k}=${String(v)}`).join(',')})`;
}
