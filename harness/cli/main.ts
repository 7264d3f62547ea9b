#!/usr/bin/env node
import { isMainThread } from 'node:worker_threads';
import { Command, CommanderError } from 'commander';
import { InputError } from '../../workloads/input-error.js';
import { toolVersion } from '../version.js';
import { registerRun } from './run.js';
import { registerValidate } from './validate.js';
import { registerCompare } from './compare.js';
import { registerBaseline } from './baseline.js';
import { registerReport } from './report.js';
import { registerWorkload } from './workload-preview.js';
import { registerCapacity } from './capacity.js';
import { registerExplainStep } from './explain-step.js';
import { registerCalibrate } from './calibrate.js';
import { registerFidelity } from './fidelity.js';
import { registerEngine } from './engine.js';
import { registerRouter } from './router.js';
import { registerLoad } from './load.js';
import { registerSchema } from './schema.js';
import { registerMerge } from './merge.js';
import { registerCheckPolicy } from './check-policy.js';

/** Build the CLI program (exported for tests). */
export function buildProgram(): Command {
  const program = new Command('agentbench')
    .description('Simulate and benchmark multi-agent LLM serving: compare routing, scheduling and KV-cache policies.')
    .version(toolVersion())
    .showHelpAfterError()
    .exitOverride();
  registerRun(program);
  registerValidate(program);
  registerCompare(program);
  registerBaseline(program);
  registerReport(program);
  registerWorkload(program);
  registerCapacity(program);
  registerExplainStep(program);
  registerCalibrate(program);
  registerFidelity(program);
  registerEngine(program);
  registerRouter(program);
  registerLoad(program);
  registerSchema(program);
  registerMerge(program);
  registerCheckPolicy(program);
  return program;
}

/** Run the CLI; resolves to the process exit code (0 ok, 1 failure or regression, 2 bad input). */
export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
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
