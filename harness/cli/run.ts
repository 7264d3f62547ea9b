import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { basename, join } from 'node:path';
import { loadScenarioAsync } from '../scenario/load.js';
import { collectSet, SET_HELP } from './set-flag.js';
import { parseShard, type ShardSpec } from '../runner/shard.js';
import { moduleConformanceFailures } from '../runner/policy-conformance.js';
import { REPORT_FORMATS, runScenario, type ReportFormat } from '../runner/matrix.js';
import { Progress } from '../progress.js';
import { consoleSummary } from './summary-table.js';
import { truncationWarning } from '../runner/truncation.js';
import { skippedRowsNote } from './skipped-rows.js';
import { addGateOptions, checkComparable, checkGateFlags, gateAndReport, type GateFlags, type GateResult } from './gate.js';
import { comparableFromReport, readReportFile } from './report-file.js';

/**
 * Parse a seed flag: decimal digits only (Number('') is 0 and Number('0x10') is 16, which
 * would silently run another seed), at most 2^53 − 1 so that the flag, not the scenario's
 * `seeds`, is blamed.
 */
export function parseSeed(v: string): number {
  const n = /^\d+$/.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n)) {
    throw new InvalidArgumentError(`expected a non-negative integer (decimal digits, at most ${Number.MAX_SAFE_INTEGER}), found '${v}'`);
  }
  return n;
}

/** Parse `--formats json,md,csv,html` (any non-empty subset, in any order). */
export function parseFormats(v: string): ReadonlySet<ReportFormat> {
  const out = new Set<ReportFormat>();
  for (const f of v.split(',').map((s) => s.trim())) {
    if (!(REPORT_FORMATS as readonly string[]).includes(f)) {
      throw new InvalidArgumentError(`unknown report format '${f}'; valid: ${REPORT_FORMATS.join(', ')}`);
    }
    out.add(f as ReportFormat);
  }
  return out;
}

/** `--jobs`: a whole number from 1 to 256, or `auto` (one per core the process may use, at most one per cell). */
export function parseJobs(v: string): number | 'auto' {
  if (v === 'auto') return 'auto';
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 256) throw new InvalidArgumentError(`expected a whole number from 1 to 256 or auto, found '${v}'`);
  return Number(v);
}

/** `--shard K/N`. */
function shardFlag(v: string): ShardSpec {
  const s = parseShard(v);
  if ('error' in s) throw new InvalidArgumentError(s.error);
  return s;
}

/** `agentbench run <scenario>` */
export function registerRun(program: Command): void {
  addGateOptions(program
    .command('run')
    .description('run a scenario (every workload × policy × seed) and write its reports')
    .argument('<scenario>', 'scenario YAML file')
    .option('-o, --out <dir>', 'output directory (default: runs/<scenario name>)')
    .option('-s, --seed <n>', 'run only this seed instead of the scenario\'s list', parseSeed)
    .option('-q, --quiet', 'no progress on stderr')
    .option('--json', 'print a machine-readable summary on stdout instead of the table')
    .option('--formats <list>', `report files to write, comma-separated: ${REPORT_FORMATS.join(',')} (default: all; csv = requests, workflows and summary CSVs)`, parseFormats)
    .option('--mode <mode>', 'sim or live (overrides the scenario\'s mode)', (v: string) => {
      if (v !== 'sim' && v !== 'live') throw new InvalidArgumentError(`expected sim or live, found '${v}'`);
      return v;
    })
    .option('--skip-bad-rows', 'skip (and count, as traceRowsSkipped) malformed rows of trace workloads instead of failing')
    .option('--allow-truncation', 'exit 0 even when a run limit (limits.maxSimS, limits.maxEvents) cut a run short')
    .option('--check', 'check invariants as the run goes (request conservation, KV conservation, causality, oracle boundary)')
    .option('--baseline <report.json>', 'gate the run against this baseline report (exit 1 on a regression)')
    .option('--set <path=value>', SET_HELP, collectSet)
    .option('-j, --jobs <n>', 'simulate cells on n worker threads (a number, or auto: one per core, at most one per cell); results are byte-identical to one job', parseJobs, 'auto' as const)
    .option('--shard <K/N>', 'run only shard K of N (cells balanced by estimated cost) into a partial folder; `agentbench merge` joins the N folders', shardFlag))
    .action(async (file: string, o: GateFlags & { formats?: ReadonlySet<ReportFormat>; out?: string; seed?: number; quiet?: boolean; json?: boolean; check?: boolean; baseline?: string; mode?: 'sim' | 'live'; skipBadRows?: boolean; allowTruncation?: boolean; set?: (readonly [string, unknown])[]; jobs: number | 'auto'; shard?: ShardSpec }) => {
      const loaded = await loadScenarioAsync(file, {
        ...(o.set ? { set: o.set } : {}),
        ...(o.seed !== undefined ? { seeds: [o.seed] } : {}), ...(o.mode ? { mode: o.mode } : {}), ...(o.skipBadRows ? { skipBadRows: true } : {}),
      });
      checkGateFlags(loaded.scenario, o); // a typo in --gate fails now, not after the run
      if (o.check) {
        // A user policy module gets the conformance checks a built-in passes in the test suite, before any cell runs.
        const failures = moduleConformanceFailures((loaded.points ?? []).map((p) => p.scenario));
        if (failures.length > 0) throw new Error(`--check: ${failures.join('\n')}`);
      }
      const base = o.baseline !== undefined ? readReportFile(o.baseline) : null; // read first: a bad file fails before the run
      const outDir = o.out ?? join('runs', loaded.scenario.name);
      const progress = new Progress(process.stderr, !o.quiet && !o.json);
      const res = await runScenario(loaded, { outDir, check: o.check === true, progress, formats: o.formats, force: o.force === true, jobs: o.jobs, shard: o.shard });
      let gate: GateResult | undefined;
      if (base || loaded.scenario.gates || o.gate) {
        const cand = comparableFromReport(res.report);
        const refresh = `agentbench baseline update ${file} ${o.baseline ?? '<baseline.json>'}`;
        if (base) checkComparable(base, cand, o, `refresh the baseline on purpose: ${refresh}`);
        gate = gateAndReport(base, cand, o, {
          baseFile: o.baseline, candFile: join(outDir, 'report.json'), defaultDir: outDir, refreshHint: base ? refresh : undefined,
        });
        if (!gate.comparison.passed) process.exitCode = 1;
      }
      const runs = res.report.runs;
      const truncated = runs.flatMap((r) => (r.truncated ? [{ workload: r.workload, policy: r.policy, seed: r.seed, ...r.truncated }] : []));
      process.stderr.write(truncationWarning(runs) + skippedRowsNote(runs));
      if (truncated.length > 0 && !o.allowTruncation) process.exitCode = 1;
      if (o.json) {
        process.stdout.write(`${JSON.stringify({
          outDir: res.outDir, files: res.files, scenario: res.report.scenario, truncated, aggregates: res.report.aggregates,
          ...(gate ? { gate: gate.json } : {}),
        }, null, 2)}\n`);
      } else {
        process.stdout.write(consoleSummary(res.report));
        process.stdout.write(`\n${res.calls} LLM calls ${res.report.scenario.mode === 'live' ? 'run live' : 'simulated'} in ${(res.wallMs / 1000).toFixed(2)} s; reports in ${res.outDir}/ (${res.files.map((f) => basename(f)).join(', ')})\n`);
        if (gate) process.stdout.write(`\n${gate.text}`);
      }
    });
}
