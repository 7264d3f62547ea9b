import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkLayering, checkSource, layerFiles } from './layering.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('layering (policies < workloads < sim < reports < harness)', () => {
  it('the repository has no upward import and no impure policy', () => {
    expect(layerFiles(ROOT).length).toBeGreaterThan(200);
    expect(checkLayering(ROOT).map((v) => `${v.file}:${v.line}: ${v.target}: ${v.why}`)).toEqual([]);
  });

  it('catches an upward import, naming file, line and rule', () => {
    const src = "import { x } from './ok.js';\nimport { runSimCell } from '../harness/runner/sim-cell.js';\n";
    expect(checkSource('workloads/foo.ts', src)).toEqual([{
      file: 'workloads/foo.ts', line: 2, target: '../harness/runner/sim-cell.js',
      why: 'workloads/ may not import harness/ (layers, bottom up: policies < workloads < sim < reports < harness)',
    }]);
  });

  it('policies may import only policies; sim may not import reports; type imports and re-exports count', () => {
    expect(checkSource('policies/routing/x.ts', "import type { EngineCore } from '../../sim/engine/engine-core.js';")).toHaveLength(1);
    expect(checkSource('sim/kv-tiers/x.ts', "export type { T } from '../../reports/kv-tiers.js';")).toHaveLength(1);
    expect(checkSource('sim/x.ts', "const m = await import('../reports/report.js');")).toHaveLength(1);
    expect(checkSource('harness/x.ts', "import { a } from '../sim/a.js';\nimport { b } from '../reports/b.js';")).toEqual([]);
    expect(checkSource('reports/x.ts', "import { a } from '../sim/a.js';")).toEqual([]);
  });

  it('policies do no I/O and read no clock or global randomness', () => {
    expect(checkSource('policies/x.ts', "import { readFileSync } from 'node:fs';")[0]!.why).toMatch(/no node: modules/);
    expect(checkSource('policies/x.ts', 'const t = Date.now();')[0]!.why).toMatch(/Clock/);
    expect(checkSource('policies/x.ts', 'if (Math.random() < 0.5) {}')).toHaveLength(1);
    expect(checkSource('policies/x.ts', '// never Date.now() here')).toEqual([]);
    expect(checkSource('policies/x.test.ts', 'const t = Date.now();')).toEqual([]);
  });
});
