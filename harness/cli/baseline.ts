import { existsSync, readFileSync } from 'node:fs';
import { writeFlagFile } from '../runner/out-path.js';
import { join } from 'node:path';
import type { Command } from 'commander';
import { compareReports, comparisonText, incompatibilities, reportMetrics } from '../../reports/compare/index.js';
import { loadScenarioAsync } from '../scenario/load.js';
import { runScenario } from '../runner/matrix.js';
import { truncationWarning } from '../runner/truncation.js';
import { Progress } from '../progress.js';
import { comparableFromReport, readReportFile } from './report-file.js';
import { gatesInForce } from './gate.js';

/** `agentbench baseline update <scenario> <baseline.json>` */
export function registerBaseline(program: Command): void {
  const baseline = program.command('baseline').description('manage the committed baseline report a CI gate compares against');
  baseline
    .command('update')
    .description('run the scenario and write its report.json as the new baseline, showing what changed against the old one')
    .argument('<scenario>', 'scenario YAML file')
    .argument('<baseline>', 'baseline report.json to (over)write')
    .option('-o, --out <dir>', 'run directory (default: runs/<scenario name>)')
    .option('-q, --quiet', 'no progress on stderr')
    .action(async (file: string, target: string, o: { out?: string; quiet?: boolean }) => {
      const loaded = await loadScenarioAsync(file);
      const outDir = o.out ?? join('runs', loaded.scenario.name);
      const old = existsSync(target) ? readReportFile(target) : null;
      const res = await runScenario(loaded, { outDir, check: false, progress: new Progress(process.stderr, !o.quiet) });
      process.stderr.write(truncationWarning(res.report.runs)); // a baseline of cut runs would gate against partial results
      const cand = comparableFromReport(res.report);
      if (old && incompatibilities(old, cand).length === 0) {
        const { gates, source } = gatesInForce(cand, {});
        const c = compareReports(old, cand, { gates, gatesSource: source, baseLabel: target, candLabel: 'new baseline' });
        process.stdout.write(`Changes against the old baseline:\n${comparisonText(c, reportMetrics(cand))}\n`);
      } else if (old) {
        process.stdout.write(`The old baseline is not comparable (${incompatibilities(old, cand).join('; ')}); replacing it.\n`);
      }
      writeFlagFile('baseline file', target, readFileSync(join(outDir, 'report.json'), 'utf8'));
      process.stdout.write(`baseline written: ${target} (scenario ${cand.scenario.name}, hash ${cand.scenario.hash.slice(0, 12)}, seeds ${cand.scenario.seeds.join(', ')}); commit it with the change that explains it\n`);
    });
}
