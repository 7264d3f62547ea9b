#!/usr/bin/env node
import { isMainThread } from 'node:worker_threads';
import { Command, CommanderError } from 'commander';
import { InputError } from '../../workloads/input-error.js';
import { toolVersion } from '../version.js';
import { registerRun } from './run.js';

type Register = (program: Command) => void;

/**
 * Every command by name, in `--help` order. `run`, the command most invocations are, is in the
 * bundle's main chunk; the others are loaded only when named (or for help), so a run does not load
 * the other fifteen commands' modules (~30 ms of its start-up, docs/performance.md) nor a dozen
 * chunk files they would split its modules into.
 */
const COMMANDS = {
  run: async () => registerRun,
  validate: async () => (await import('./validate.js')).registerValidate,
  compare: async () => (await import('./compare.js')).registerCompare,
  baseline: async () => (await import('./baseline.js')).registerBaseline,
  report: async () => (await import('./report.js')).registerReport,
  workload: async () => (await import('./workload-preview.js')).registerWorkload,
  capacity: async () => (await import('./capacity.js')).registerCapacity,
  'explain-step': async () => (await import('./explain-step.js')).registerExplainStep,
  calibrate: async () => (await import('./calibrate.js')).registerCalibrate,
  fidelity: async () => (await import('./fidelity.js')).registerFidelity,
  engine: async () => (await import('./engine.js')).registerEngine,
  router: async () => (await import('./router.js')).registerRouter,
  load: async () => (await import('./load.js')).registerLoad,
  schema: async () => (await import('./schema.js')).registerSchema,
  merge: async () => (await import('./merge.js')).registerMerge,
  'check-policy': async () => (await import('./check-policy.js')).registerCheckPolicy,
} satisfies Record<string, () => Promise<Register>>;

type CommandName = keyof typeof COMMANDS;
const isCommandName = (s: string | undefined): s is CommandName => s !== undefined && Object.hasOwn(COMMANDS, s);

/**
 * Build the CLI program for `argv` (the arguments after the program name): with the command
 * `argv` names alone, none for `--version`, every command otherwise (help, a misspelt command,
 * no arguments). Exported for tests.
 */
export async function buildProgram(argv: readonly string[] = []): Promise<Command> {
  const program = new Command('agentbench')
    .description('Simulate and benchmark multi-agent LLM serving: compare routing, scheduling and KV-cache policies.')
    .version(toolVersion())
    .showHelpAfterError()
    .exitOverride();
  const first = argv[0];
  const names: CommandName[] = isCommandName(first) ? [first]
    : first === '--version' || first === '-V' ? []
      : Object.keys(COMMANDS) as CommandName[];
  const registers = await Promise.all(names.map((n) => COMMANDS[n]()));
  for (const register of registers) register(program);
  return program;
}

/** Run the CLI; resolves to the process exit code (0 ok, 1 failure or regression, 2 bad input). */
export async function main(argv: readonly string[]): Promise<number> {
  const program = await buildProgram(argv);
  try {
    await program.parseAsync(argv as string[], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      return 2; // commander already printed the usage error
    }
    if (e instanceof InputError) {
      for (const p of e.problems) process.stderr.write(`error: ${p}\n`);
      return 2;
    }
    process.stderr.write(`agentbench: ${(e as Error).message}\n`);
    if (process.env['AGENTBENCH_DEBUG']) process.stderr.write(`${(e as Error).stack ?? ''}\n`);
    return 1;
  }
}

// Run when executed as a program: dist/harness/cli/main.js, the bundle dist/bundle/agentbench.js
// or the npm bin link; not when imported by tests, nor in a `run --jobs` worker thread (whose
// argv is the program's, and which may load this module's bundle chunk).
const invoked = process.argv[1] ?? '';
if (isMainThread && /agentbench(\.js)?$|main\.js$/.test(invoked)) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  }, (e: unknown) => {
    process.stderr.write(`agentbench: ${String(e)}\n`);
    process.exitCode = 1;
  });
}
