import { z } from 'zod';
import type { PolicyFactory, PolicyRef } from '../../policies/registry.js';

/**
 * A reference to a registered implementation, as YAML writes it: a bare name
 * (`routing: round-robin`) or an object with `kind` and options
 * (`routing: { kind: prefix-aware, minMatchTokens: 64 }`). Unknown names list the valid ones;
 * options are checked by the implementation's own strict schema.
 */
export function policyRefSchema(registry: Readonly<Record<string, PolicyFactory<unknown>>>, what: string) {
  const names = Object.keys(registry);
  return z
    .union([z.string(), z.looseObject({ kind: z.string() })], {
      error: `expected a ${what} name or { kind: <name>, ...options }`,
    })
    .transform((v, ctx): PolicyRef => {
      const kind = typeof v === 'string' ? v : v.kind;
      const factory = registry[kind];
      if (!factory) {
        ctx.issues.push({
          code: 'custom', input: kind, path: typeof v === 'string' ? [] : ['kind'],
          message: `unknown ${what} '${kind}'; valid: ${names.join(', ')}`,
        });
        return z.NEVER;
      }
      const { kind: _kind, ...rest } = typeof v === 'string' ? { kind } : v;
      const parsed = factory.options.safeParse(rest);
      if (!parsed.success) {
        for (const issue of parsed.error.issues) {
          if (issue.code === 'unrecognized_keys') {
            const valid = Object.keys((factory.options as unknown as { shape?: object }).shape ?? {});
            ctx.issues.push({
              code: 'custom', input: v, path: [issue.keys[0]!],
              message: `unknown option ${issue.keys.map((k) => `'${k}'`).join(', ')} for ${what} '${kind}'; valid options: ${valid.length > 0 ? valid.join(', ') : '(none)'}`,
            });
          } else ctx.issues.push(issue as never);
        }
        return z.NEVER;
      }
      return { kind, options: parsed.data as Record<string, unknown>, given: rest };
    });
}

/** Display name of a reference: the kind, with the options the scenario gave, if any. */
export function refLabel(ref: PolicyRef): string {
  const opts = Object.entries(ref.given ?? ref.options);
  return opts.length === 0 ? ref.kind : `${ref.kind}(${opts.map(([k, v]) => `${k}=${String(v)}`).join(',')})`;
}
