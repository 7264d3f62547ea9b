import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { CHART_DATA_FILE, emptyChartData, parseChartData, renderReportFiles } from '../../reports/render-files.js';
import type { Report } from '../../reports/report.js';
import { InputError } from '../../workloads/input-error.js';
import { readReportFile } from './report-file.js';

/** `agentbench report <run-dir>` */
export function registerReport(program: Command): void {
  program
    .command('report')
    .description('re-render report.md and report.html of a run directory from its report.json (and chart-data.json)')
    .argument('<run-dir>', 'a run directory (holds report.json)')
    .action(async (dir: string) => {
      const file = join(dir, 'report.json');
      readReportFile(file); // validates: a bad or missing file fails with its key path (exit 2)
      // The validated shape is the comparable subset; the full content is what the run wrote.
      const report = JSON.parse(readFileSync(file, 'utf8')) as Report;
      const dataFile = join(dir, CHART_DATA_FILE);
      let data = emptyChartData(report);
      if (existsSync(dataFile)) {
        try {
          data = parseChartData(readFileSync(dataFile, 'utf8'));
        } catch (e) {
          throw new InputError([`${dataFile}: not valid JSON: ${(e as Error).message}`]);
        }
      } else {
        process.stderr.write(`note: ${dataFile} not found (a run from before it was written): the latency distributions and workflow timelines are left out\n`);
      }
      const files = (await renderReportFiles(report, data)).filter((f) => f.name !== CHART_DATA_FILE || existsSync(dataFile));
      for (const f of files) writeFileSync(join(dir, f.name), f.text);
      process.stdout.write(`re-rendered ${files.map((f) => join(dir, f.name)).join(', ')}\n`);
    });
}
