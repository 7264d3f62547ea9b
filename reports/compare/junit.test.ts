import { DOMParser } from '@xmldom/xmldom';
import { describe, expect, it } from 'vitest';
import { compareReports } from './compare.js';
import { comparisonJunit, xmlEscape } from './junit.js';
import { makeReport } from './testdata/make-report.js';

/** Parse strictly: any warning or error from the parser fails the test. */
function parseXml(text: string) {
  const problems: string[] = [];
  const doc = new DOMParser({ onError: (level, msg) => { problems.push(`${level}: ${msg}`); } }).parseFromString(text, 'text/xml');
  expect(problems).toEqual([]);
  return doc;
}

describe('comparisonJunit', () => {
  const base = makeReport([
    { workload: 'par<allel>', policy: 'a&b', metrics: { makespanMsP99: [100, 101, 102, 103, 104], ttftMsP99: [10, 10, 10, 10, 10] } },
    { workload: 'seq', policy: 'rr', metrics: { makespanMsP99: [100, 101, 102, 103, 104], ttftMsP99: [10, 10, 10, 10, 10] } },
  ]);
  const cand = makeReport([
    { workload: 'par<allel>', policy: 'a&b', metrics: { makespanMsP99: [130, 131, 132, 133, 134], ttftMsP99: [900, 900, 900, 900, 900] } },
    { workload: 'seq', policy: 'rr', metrics: { makespanMsP99: [100, 101, 102, 103, 104], ttftMsP99: [10, 10, 10, 10, 10] } },
  ]);
  const c = compareReports(base, cand, { gates: { makespanMsP99: { maxIncreasePct: 5 }, ttftMsP99: { max: 800 } }, gatesSource: 'configured' });

  it('parses and has one test case per gate check', () => {
    const doc = parseXml(comparisonJunit(c));
    const root = doc.documentElement!;
    expect(root.nodeName).toBe('testsuites');
    expect(root.getAttribute('tests')).toBe('4');
    expect(root.getAttribute('failures')).toBe('2');
    const suites = doc.getElementsByTagName('testsuite');
    expect(suites.length).toBe(2);
    expect(suites[0]!.getAttribute('name')).toBe('hand-made / par<allel>');
    expect(doc.getElementsByTagName('testcase').length).toBe(4);
  });

  it('lists the failures with the reason', () => {
    const doc = parseXml(comparisonJunit(c));
    const failures = Array.from({ length: doc.getElementsByTagName('failure').length }, (_, i) => doc.getElementsByTagName('failure')[i]!);
    expect(failures).toHaveLength(2);
    const cases = failures.map((f) => (f.parentNode as unknown as { getAttribute(n: string): string }).getAttribute('name'));
    expect(cases).toEqual(['makespanMsP99 rise ≤ 5%', 'ttftMsP99 ≤ 800']);
    expect(failures[0]!.getAttribute('message')).toContain('makespanMsP99 rose 29.4% (102 → 132');
    expect(failures[0]!.getAttribute('type')).toBe('regression');
    expect(failures[1]!.textContent).toBe('par<allel> × a&b: ttftMsP99 median 900 > max 800');
  });

  it('marks checks without a baseline as skipped', () => {
    const doc = parseXml(comparisonJunit(compareReports(null, cand, { gates: { makespanMsP99: { maxIncreasePct: 5 } }, gatesSource: 'configured' })));
    expect(doc.getElementsByTagName('skipped').length).toBe(2);
    expect(doc.documentElement!.getAttribute('skipped')).toBe('2');
  });
});

describe('comparisonJunit, the whole document', () => {
  it('writes suites per workload and cases per check, word for word, escaping XML', () => {
    // One check each: a pass (system-out), a skipped one (no baseline for a relative limit).
    const cand = makeReport([{ workload: 'w', policy: 'p"q', metrics: { ttftMsP99: [5, 5, 5] } }]);
    const c = compareReports(null, cand, { gates: { ttftMsP99: { max: 10, maxIncreasePct: 5 } }, gatesSource: 'configured' });
    expect(comparisonJunit(c)).toBe([
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<testsuites name="agentbench gates: hand-made" tests="2" failures="0" errors="0" skipped="1" time="0">',
      '  <testsuite name="hand-made / w" tests="2" failures="0" errors="0" skipped="1" time="0">',
      '    <testcase classname="agentbench.hand-made.w.p&quot;q" name="ttftMsP99 rise ≤ 5%" time="0">',
      '      <skipped message="ttftMsP99 rise ≤ 5%: no baseline to compare against"/>',
      '    </testcase>',
      '    <testcase classname="agentbench.hand-made.w.p&quot;q" name="ttftMsP99 ≤ 10" time="0">',
      '      <system-out>pass: ttftMsP99 median 5.00 ≤ max 10</system-out>',
      '    </testcase>',
      '  </testsuite>',
      '</testsuites>',
      '',
    ].join('\n'));
  });

  it('xmlEscape drops characters XML 1.0 forbids and escapes the five specials', () => {
    expect(xmlEscape('a\u0000b\u0008c\u000bd\u001f\te\n<&>"\'')).toBe('abcd\te\n&lt;&amp;&gt;&quot;&apos;');
  });
});
