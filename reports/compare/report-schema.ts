import { z } from 'zod';
import { gatesSchema } from './gates.js';
import { describeFound, pathLabel, valueAt } from '../found.js';

const metricValue = z.number().nullable();

/**
 * The parts of report.json that compare reads, validated loosely (extra keys allowed), so a
 * report from a newer or older tool is read as far as it can be and its version checked apart.
 */
export const comparableReportSchema = z.looseObject({
  schemaVersion: z.int(),
  tool: z.looseObject({ name: z.string(), version: z.string() }),
  scenario: z.looseObject({
    name: z.string(),
    hash: z.string(),
    mode: z.string(),
    seeds: z.array(z.number()),
    gates: gatesSchema.optional(),
  }),
  cluster: z.record(z.string(), z.unknown()).default({}),
  policies: z.array(z.looseObject({ name: z.string() })).default([]),
  workloads: z.array(z.looseObject({ name: z.string() })).default([]),
  runs: z.array(z.looseObject({
    workload: z.string(),
    policy: z.string(),
    seed: z.number(),
    summary: z.record(z.string(), metricValue),
  })),
});

/** A report as compare reads it (null marks an undefined metric). */
export type ComparableReport = z.output<typeof comparableReportSchema>;

/** Validate parsed JSON as a report; problems name the key path, what was expected and found. */
export function parseComparableReport(json: unknown, label: string): { report: ComparableReport } | { problems: string[] } {
  const res = comparableReportSchema.safeParse(json);
  if (res.success) return { report: res.data };
  return {
    problems: res.error.issues.slice(0, 10).map((i) => {
      const path = pathLabel(i.path);
      const found = valueAt(json, i.path);
      const msg = i.code === 'invalid_type'
        ? found === undefined ? `missing key (expected ${i.expected})` : `expected ${i.expected}, found ${describeFound(found, 'an object')}`
        : i.message;
      return `${label}: ${path}: ${msg}`;
    }),
  };
}


