import type { Command } from 'commander';
import { addGateOptions, checkComparable, gateAndReport, type GateFlags } from './gate.js';
import { readReportFile } from './report-file.js';

/** `agentbench compare <baseline> <candidate>` */
export function registerCompare(program: Command): void {
  addGateOptions(program
    .command('compare')
    .description('compare two report.json files and gate on regressions (exit 0 pass, 1 regression, 2 bad input)')
    .argument('<baseline>', 'baseline report.json')
    .argument('<candidate>', 'candidate report.json')
    .option('--json', 'print the checks as JSON instead of the table'))
    .action((baseFile: string, candFile: string, o: GateFlags & { json?: boolean }) => {
      const base = readReportFile(baseFile);
      const cand = readReportFile(candFile);
      checkComparable(base, cand, o, 'rerun the baseline with the same scenario (agentbench baseline update <scenario> <baseline.json>)');
      const g = gateAndReport(base, cand, o, { baseFile, candFile });
      process.stdout.write(o.json ? `${JSON.stringify(g.json, null, 2)}\n` : g.text);
      if (!g.comparison.passed) process.exitCode = 1;
    });
}
