import { describe, expect, it } from 'vitest';
import { parsePath, setPath } from './paths.js';

describe('scenario key paths', () => {
  it('parses keys, indices and [*]', () => {
    expect(parsePath('cluster.instances')).toEqual([{ key: 'cluster' }, { key: 'instances' }]);
    expect(parsePath('workloads[*].arrivals.ratePerSec')).toEqual([{ key: 'workloads' }, { all: true }, { key: 'arrivals' }, { key: 'ratePerSec' }]);
    expect(parsePath('policies[12].routing')).toEqual([{ key: 'policies' }, { index: 12 }, { key: 'routing' }]);
  });

  it('names what is malformed and where', () => {
    expect(parsePath('')).toEqual({ error: 'expected a key path such as cluster.instances or workloads[*].arrivals.ratePerSec' });
    expect(parsePath('a.')).toEqual({ error: 'expected a key path such as cluster.instances or workloads[*].arrivals.ratePerSec' });
    expect(parsePath('.a')).toEqual({ error: "unexpected '.' at column 1" });
    expect(parsePath('a..b')).toEqual({ error: "unexpected '.' at column 3" });
    expect(parsePath('[0]')).toEqual({ error: "expected a key before '[' at column 1" });
    expect(parsePath('a b')).toEqual({ error: "unexpected ' ' at column 2" });
    expect(parsePath('a[x]')).toEqual({ error: "unexpected '[' at column 2" });
  });

  it('sets values, creating missing mappings, on one element or all', () => {
    const raw: Record<string, unknown> = { cluster: { instances: 2 }, workloads: [{ arrivals: { ratePerSec: 1 } }, { arrivals: { ratePerSec: 2 } }] };
    expect(setPath(raw, 'cluster.instances', 8)).toBeUndefined();
    expect(setPath(raw, 'workloads[*].arrivals.ratePerSec', 5)).toBeUndefined();
    expect(setPath(raw, 'workloads[1].workflows', 7)).toBeUndefined();
    expect(setPath(raw, 'slo.ttftMs', 300)).toBeUndefined();
    expect(raw).toEqual({ cluster: { instances: 8 }, workloads: [{ arrivals: { ratePerSec: 5 } }, { arrivals: { ratePerSec: 5 }, workflows: 7 }], slo: { ttftMs: 300 } });
  });

  it('refuses steps that do not exist, naming them', () => {
    const raw: Record<string, unknown> = { cluster: { instances: 2 }, workloads: [{}] };
    expect(setPath(raw, 'workloads[2].x', 1)).toEqual({ error: 'workloads[2].x: workloads has 1 entry, no [2]' });
    expect(setPath(raw, 'cluster[0]', 1)).toEqual({ error: 'cluster[0]: cluster is not a list' });
    expect(setPath(raw, 'cluster.instances.x', 1)).toEqual({ error: 'cluster.instances.x: cluster.instances is not a mapping' });
    expect(setPath(raw, 'a..b', 1)).toEqual({ error: "a..b: unexpected '.' at column 3" });
  });
});
