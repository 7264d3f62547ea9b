import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseScenario } from '../scenario/load.js';
import { runScenario } from '../runner/matrix.js';
import { runTestCell } from '../runner/testing.js';
import { faultSchema } from '../../sim/faults/spec.js';
import { liveFaultsFromScenario, runFaultCommand } from './live-faults.js';

describe('scenario faults in live runs', () => {
  it('hit the same instances as in simulation (same seeded draw)', () => {
    const faults = [faultSchema.parse({ kind: 'crash', target: 'random', atS: 1, recoverAfterS: 2, warmupS: 1 }),
      faultSchema.parse({ kind: 'slowdown', target: { fraction: 0.5 }, atS: 2, factor: 3, durationS: 4 })];
    for (const seed of [1, 2, 3, 4, 5]) {
      const sim = runTestCell({
        cluster: { instances: 4 }, seed, faults,
        workload: { pattern: 'sequential', agents: 2, workflows: 6, arrivals: { kind: 'constant', ratePerSec: 2 } },
      });
      const simHits = (sim.faults ?? []).map((f) => `${f.kind}@${f.instance}`).sort();
      const live = liveFaultsFromScenario(faults, 4, seed);
      expect(live.map((f) => `${f.kind === 'slow' ? 'slowdown' : f.kind}@i${f.instance}`).sort()).toEqual(simHits);
    }
    const [crash, slow] = liveFaultsFromScenario(faults, 4, 1);
    expect(crash).toMatchObject({ kind: 'crash', atUs: 1_000_000, recoverAfterUs: 3_000_000 });
    expect(slow).toMatchObject({ kind: 'slow', factor: 3, atUs: 2_000_000, recoverAfterUs: 4_000_000 });
  });

  const live = (faults: string, extra = '') => `
name: lf
mode: live
live: { spawn: local, timeScale: 0.1${extra} }
cluster: { instances: 2 }
policies: [{ routing: round-robin, recovery: retry-call }]
workloads: [{ name: s, pattern: sequential, agents: 2, workflows: 6, arrivals: { kind: constant, ratePerSec: 6 },
  systemTokens: 64, contextTokens: 600, taskTokens: 32, outputTokens: 600 }]
faults:
${faults}
`;

  it('refuses what only the simulator can do, naming the key', () => {
    expect(() => parseScenario(live('  - { kind: partition, target: i1, atS: 1, durationS: 2 }'), 'x.yaml')).toThrow(/x\.yaml:\d+:\d+: faults\[0\]\.kind: partition faults run in simulation only/);
    expect(() => parseScenario(live('  - { kind: crash, target: i1, schedule: { mtbfS: 10 } }'), 'x.yaml')).toThrow(/faults\[0\]\.schedule: seeded fault schedules run in simulation only/);
    const deployed = live('  - { kind: crash, target: i1, atS: 1 }').replace('spawn: local, timeScale: 0.1', 'target: { baseUrl: "http://127.0.0.1:9", model: m }');
    expect(() => parseScenario(deployed, 'x.yaml')).toThrow(/faults\[0\]: faults act on spawned engines; against a deployed target use live.commands/);
  });

  it('a scenario crash takes a spawned engine down and back; every workflow finishes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ab-lf-'));
    try {
      const loaded = parseScenario(`${live('  - { kind: crash, target: i1, atS: 2, recoverAfterS: 0.4 }', ', commands: [{ atS: 0.1, run: "exit 3" }]')}report: { sampleIntervalMs: 200 }\n`, 'lf.yaml');
      const res = await runScenario(loaded, { outDir: dir, check: true });
      const s = res.report.runs[0]!.summary;
      expect(s['workflowsCompleted']).toBe(6);
      expect(s['faultCommands']).toBe(1);
      expect(s['faultCommandsFailed']).toBe(1);
      // The engine's own state (not the router's belief) shows the crash and the restart.
      const states = res.report.runs[0]!.timeseries!.rows.filter((r) => r[1] === 'i1').map((r) => r[7]);
      expect(states).toContain('down');
      expect(states.at(-1)).toBe('ok');
      expect(res.report.runs[0]!.timeseries!.rows.filter((r) => r[1] === 'i0').every((r) => r[7] === 'ok')).toBe(true);
      // Any call that failed did so on the crashed engine.
      const failed = readFileSync(join(dir, 'requests.csv'), 'utf8').split('\n').filter((l) => l.includes(',failed,'));
      // The crash at 2 s (scenario time; 0.2 s of wall time at timeScale 0.1) breaks calls in flight
      // on i1: workflows arrive at 6/s from t = 0 and a call decodes 600 tokens (≥ 4 s at ~7 ms a
      // step), so calls sent up to 2 s, one instance in two, are still running even when a loaded
      // machine sends the first ones late (seen: 0.4 s, after a crash at 0.3 s would have struck).
      expect(failed.length).toBeGreaterThan(0);
      for (const r of failed) expect(r).toContain(',i1,');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fault commands report their exit, output and timeout', async () => {
    expect(await runFaultCommand({ atS: 0, run: 'echo pod deleted', timeoutS: 5 })).toMatchObject({ exitCode: 0, outputTail: 'pod deleted\n' });
    expect(await runFaultCommand({ atS: 0, run: 'echo nope >&2; exit 3', timeoutS: 5 })).toMatchObject({ exitCode: 3, outputTail: 'nope\n' });
    expect((await runFaultCommand({ atS: 0, run: 'sleep 5', timeoutS: 0.2 })).signal).toBe('SIGTERM');
  });
});
