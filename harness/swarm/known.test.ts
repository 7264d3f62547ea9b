import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { RawScenario } from './generate.js';
import { checkScenario } from './swarm.js';

// Scenarios the swarm once found failing (an engine stalled with work queued), reduced. They are
// fixed; each must now hold every swarm invariant, on both engine paths, so they stay fixed.
const KNOWN = fileURLToPath(new URL('./known/', import.meta.url));
const files = readdirSync(KNOWN).filter((f) => f.endsWith('.yaml')).sort();

describe('swarm findings stay fixed (harness/swarm/known/)', () => {
  it('there are findings to check', () => expect(files.length).toBeGreaterThanOrEqual(6));
  for (const f of files) {
    it(f, () => {
      const raw = parse(readFileSync(join(KNOWN, f), 'utf8')) as RawScenario;
      const res = checkScenario(raw, { rerun: true, compareEngines: true });
      expect(res.failure).toBeUndefined();
      expect(res.cells).toBeGreaterThan(0);
    });
  }
});
