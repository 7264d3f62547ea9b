import type { Comparison, GateCheck } from './compare.js';
import { describeLimit } from './gates.js';

/** Escape text for an XML attribute or element. */
export function xmlEscape(s: string): string {
  // Characters XML 1.0 forbids outright are dropped.
  return s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '')
    .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

function testCase(c: Comparison, x: GateCheck): string {
  const name = `${x.metric} ${describeLimit(x.kind, x.limit)}`;
  const cls = `agentbench.${c.scenario}.${x.workload}.${x.policy}`;
  const open = `    <testcase classname="${xmlEscape(cls)}" name="${xmlEscape(name)}" time="0"`;
  switch (x.verdict) {
    case 'fail':
      return `${open}>\n      <failure type="regression" message="${xmlEscape(x.reason)}">${xmlEscape(`${x.workload} × ${x.policy}: ${x.reason}`)}</failure>\n    </testcase>`;
    case 'skipped':
      return `${open}>\n      <skipped message="${xmlEscape(x.reason)}"/>\n    </testcase>`;
    default:
      return `${open}>\n      <system-out>${xmlEscape(`${x.verdict}: ${x.reason}`)}</system-out>\n    </testcase>`;
  }
}

/** JUnit XML: one test suite per workload, one test case per gate check (metric × limit × policy). */
export function comparisonJunit(c: Comparison): string {
  const workloads = [...new Set(c.checks.map((x) => x.workload))];
  const count = (xs: readonly GateCheck[], v: string): number => xs.filter((x) => x.verdict === v).length;
  const suites = workloads.map((w) => {
    const xs = c.checks.filter((x) => x.workload === w);
    return [
      `  <testsuite name="${xmlEscape(`${c.scenario} / ${w}`)}" tests="${xs.length}" failures="${count(xs, 'fail')}" errors="0" skipped="${count(xs, 'skipped')}" time="0">`,
      ...xs.map((x) => testCase(c, x)),
      '  </testsuite>',
    ].join('\n');
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${xmlEscape(`agentbench gates: ${c.scenario}`)}" tests="${c.checks.length}" failures="${count(c.checks, 'fail')}" errors="0" skipped="${count(c.checks, 'skipped')}" time="0">`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
}
