import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseScenario } from '../../scenario/load.js';
import { runScenario, type RunOutcome } from '../matrix.js';

/** A scenario small enough for unit tests (well under a second), with both patterns and two policies. */
export const SMALL_SCENARIO = `name: small
description: Two policies, two patterns, two seeds — a test fixture.
seeds: [1, 2]
cluster: { instances: 2 }
policies:
  - routing: round-robin
  - routing: least-loaded
workloads:
  - name: chain
    pattern: sequential
    agents: 3
    workflows: 12
    arrivals: { kind: poisson, ratePerSec: 3 }
    contextTokens: 800
    outputTokens: { dist: lognormal, mean: 80, std: 30 }
  - name: fanout
    pattern: parallel
    workers: 3
    workflows: 8
    arrivals: { kind: poisson, ratePerSec: 3 }
    contextTokens: 800
    outputTokens: { dist: lognormal, mean: 80, std: 30 }
`;

/** Run the small scenario into `dir` (a fresh temporary directory by default). */
export async function smallRun(dir = mkdtempSync(join(tmpdir(), 'agentbench-small-'))): Promise<RunOutcome> {
  return runScenario(parseScenario(SMALL_SCENARIO, 'small.yaml'), { outDir: dir, check: true });
}
