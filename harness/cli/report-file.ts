import { readFileSync } from 'node:fs';
import { parseComparableReport, type ComparableReport } from '../../reports/compare/index.js';
import { reportToJson, type Report } from '../../reports/report.js';
import { InputError } from '../../workloads/input-error.js';

/** Read and validate a report.json; InputError (exit 2) names the file and what is wrong. */
export function readReportFile(file: string): ComparableReport {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new InputError([`${file}: cannot read report: ${(e as Error).message}`]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new InputError([`${file}: not valid JSON: ${(e as Error).message}`]);
  }
  const res = parseComparableReport(json, file);
  if ('problems' in res) throw new InputError([...res.problems, `${file}: not a valid agentbench report.json`]);
  return res.report;
}

/** A report just produced by a run, as compare reads it (NaN becomes null, as in the file). */
export function comparableFromReport(report: Report): ComparableReport {
  const res = parseComparableReport(JSON.parse(reportToJson(report)), 'report.json');
  if ('problems' in res) throw new Error(`internal: the run's own report does not validate: ${res.problems.join('; ')}`);
  return res.report;
}
