import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { parseScenario } from '../scenario/load.js';
import { runScenario } from './matrix.js';

// The main thread cannot read what a worker posted (as when dist/ holds an older worker than
// the sources running a test): the run must fail with the reason, not wait forever.
vi.mock('./cell-transfer.js', async (original) => ({
  ...(await original<typeof import('./cell-transfer.js')>()),
  unpackCellResult: () => {
    throw new TypeError("Cannot read properties of undefined (reading 'codes')");
  },
}));

const dir = mkdtempSync(join(tmpdir(), 'ab-pool-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('CellPool', () => {
  it('fails the run when a worker\'s result cannot be read', async () => {
    const sc = parseScenario('name: pool\ncluster: { instances: 1 }\nseeds: [1, 2]\nworkloads: [{ name: w, pattern: chat, workflows: 2, arrivals: { kind: constant, ratePerSec: 1 } }]\npolicies: [{ routing: round-robin }]\n', join(dir, 'pool.yaml'));
    await expect(runScenario(sc, { outDir: join(dir, 'out'), check: false, jobs: 2 }))
      .rejects.toThrow(/^run --jobs: a worker's result could not be read \(Cannot read properties of undefined \(reading 'codes'\)\); is the built worker/);
  }, 30_000);
});
