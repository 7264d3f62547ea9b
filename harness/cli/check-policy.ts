import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { parse as parseYaml } from 'yaml';
import { InputError } from '../../workloads/input-error.js';
import { describeFound } from '../../reports/found.js';
import { importPolicyModule, loadPolicyModule, policyShapeProblem, SLOT_METHODS, SLOT_WHAT, type PolicySlot, type SlotPolicy } from '../scenario/policy-modules.js';
import { runConformance, skipKeys } from '../runner/policy-conformance.js';

const SLOTS = Object.keys(SLOT_METHODS) as PolicySlot[];

/**
 * `agentbench check-policy <module>`: the conformance checks the built-in policies pass, run on a
 * user's policy module, for its CI (exit 0 all passed, 1 a check failed, 2 bad module or options).
 */
export function registerCheckPolicy(program: Command): void {
  program
    .command('check-policy')
    .description('run the conformance checks of the built-in policies on your policy module (exit 0 passed, 1 a check failed, 2 bad module or options)')
    .argument('<module>', 'policy module (path relative to the current folder), default export built with definePolicy')
    .option('--options <yaml>', 'the options to build it with, a YAML/JSON mapping as in a scenario (default: {})', parseOptionsFlag)
    .option('--as <interface>', `which interface it implements: ${SLOTS.join(', ')} (default: found from the methods it has)`, (v: string) => {
      if (!(SLOTS as string[]).includes(v)) throw new InvalidArgumentError(`expected one of ${SLOTS.join(', ')}, found '${v}'`);
      return v as PolicySlot;
    })
    .option('--block-size <tokens>', 'KV block size the policy is built for (PolicyContext.blockSize)', (v: string) => {
      if (!/^\d+$/.test(v) || Number(v) < 1) throw new InvalidArgumentError(`expected a positive whole number, found '${v}'`);
      return Number(v);
    }, 16)
    .option('--skip <check>', 'skip a check that does not apply, by its key (determinism, spreads); repeatable', (v: string, prev: string[] = []) => [...prev, v])
    .action(async (spec: string, o: { options?: Record<string, unknown>; as?: PolicySlot; blockSize: number; skip?: string[] }) => {
      const where = `check-policy ${spec}`;
      const url = await loadPolicyModule(spec.startsWith('.') || spec.startsWith('/') ? spec : `./${spec}`, process.cwd(), where, 'the current folder');
      const m = await importPolicyModule(url, spec, where);
      const parsed = m.factory.options.safeParse(o.options ?? {});
      if (!parsed.success) {
        throw new InputError(parsed.error.issues.map((i) => `--options${i.path.map((k) => (typeof k === 'number' ? `[${k}]` : `.${String(k)}`)).join('')}: ${i.message}`));
      }
      const ctx = { blockSize: o.blockSize };
      const make = (): unknown => m.factory.make(parsed.data as never, ctx);
      const sample = make();
      const slot = o.as ?? SLOTS.find((s) => policyShapeProblem(s, sample) === undefined);
      if (slot === undefined) {
        throw new InputError([`${where}: make() returned ${describeFound(sample)} without the methods of any policy interface; expected ${SLOTS.map((s) => `a ${SLOT_WHAT[s]} (${SLOT_METHODS[s].map((k) => `${k}()`).join(', ')})`).join(', or ')}`]);
      }
      const shape = policyShapeProblem(slot, sample);
      if (shape !== undefined) throw new InputError([`${where}: make() ${shape}`]);
      const valid = skipKeys(slot);
      for (const k of o.skip ?? []) {
        if (!valid.includes(k)) throw new InputError([`--skip: unknown check '${k}' for a ${SLOT_WHAT[slot]}; valid: ${valid.join(', ') || '(none)'}`]);
      }
      const outcomes = runConformance(slot, make as () => SlotPolicy[PolicySlot], new Set(o.skip));
      process.stdout.write(`${spec}: ${SLOT_WHAT[slot]} conformance\n`);
      for (const r of outcomes) {
        const mark = r.status === 'passed' ? 'ok  ' : r.status === 'skipped' ? 'skip' : 'FAIL';
        process.stdout.write(`  ${mark} ${r.title}${r.status === 'failed' ? `: ${r.message}` : r.status === 'skipped' ? ` (--skip ${r.key})` : ''}\n`);
      }
      const failed = outcomes.filter((r) => r.status === 'failed').length;
      process.stdout.write(failed === 0 ? `all ${outcomes.length - outcomes.filter((r) => r.status === 'skipped').length} checks passed\n` : `${failed} of ${outcomes.length} checks failed\n`);
      if (failed > 0) process.exitCode = 1;
    });
}

// `--options '{minLoad: 2}'`: a YAML (or JSON) mapping.
function parseOptionsFlag(v: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = parseYaml(v);
  } catch (e) {
    throw new InvalidArgumentError(`expected a YAML or JSON mapping, e.g. '{threshold: 2}': ${(e as Error).message.split('\n')[0]}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new InvalidArgumentError(`expected a mapping, e.g. '{threshold: 2}', found ${describeFound(value)}`);
  return value as Record<string, unknown>;
}
