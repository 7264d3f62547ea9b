import { spawn } from 'node:child_process';
import { SeededRng } from '../../policies/rng.js';
import { faultTargets } from '../../sim/faults/targets.js';
import type { FaultSpec } from '../../sim/faults/spec.js';

/** A fault applied to a spawned engine at a time of the run. */
export interface LiveFault {
  readonly atUs: number;
  /** Index of the instance (i0 = 0). */
  readonly instance: number;
  readonly kind: 'crash' | 'hang' | 'slow' | 'kv-loss';
  /** Step-time multiplier of `slow`. */
  readonly factor?: number | undefined;
  /** Recover this long after the fault (never, if absent). */
  readonly recoverAfterUs?: number | undefined;
  /**
   * Wait (checking every 10 ms of run time after `atUs`) until the engine holds at least this
   * many requests, so the fault is sure to hit calls in flight (tests).
   */
  readonly minInflight?: number | undefined;
}

/**
 * A scenario's `faults:` as actions on spawned emulated engines. Targets are drawn exactly as
 * the simulator draws them (stream `faults` / `fault-<k>` of the seed), so a scenario's faults
 * hit the same instances in both worlds. Live runs support fixed-time crash (with
 * recoverAfterS + warmupS), hang, slowdown and kv-loss; schedules and partitions are refused at
 * validation (see {@link liveFaultProblems}).
 */
export function liveFaultsFromScenario(faults: readonly FaultSpec[], instances: number, seed: number): LiveFault[] {
  const rng = new SeededRng(seed).fork('faults');
  const ids = Array.from({ length: instances }, (_, i) => `i${i}`);
  const us = (s: number | undefined): number | undefined => (s === undefined ? undefined : Math.round(s * 1e6));
  return faults.flatMap((f, k): LiveFault[] => {
    const atUs = us(f.atS ?? 0)!;
    return faultTargets(f.target, ids, rng.fork(`fault-${k}`)).flatMap((instance): LiveFault[] => {
      switch (f.kind) {
        case 'crash':
          return [{ atUs, instance, kind: 'crash', recoverAfterUs: f.recoverAfterS === undefined ? undefined : us(f.recoverAfterS + f.warmupS) }];
        case 'hang':
          return [{ atUs, instance, kind: 'hang', recoverAfterUs: us(f.durationS) }];
        case 'slowdown':
          return [{ atUs, instance, kind: 'slow', factor: f.factor, recoverAfterUs: us(f.durationS) }];
        case 'kv-loss':
          return [{ atUs, instance, kind: 'kv-loss' }];
        case 'partition':
          return []; // refused at validation for live runs
      }
    });
  });
}

/** Why a scenario's faults cannot run live (key path + message), empty when they can. */
export function liveFaultProblems(faults: readonly FaultSpec[], deployedTarget: boolean): { path: (string | number)[]; message: string }[] {
  const out: { path: (string | number)[]; message: string }[] = [];
  faults.forEach((f, i) => {
    if (deployedTarget) {
      out.push({ path: ['faults', i], message: 'faults act on spawned engines; against a deployed target use live.commands (a command run at a time, e.g. deleting a pod)' });
    } else if (f.schedule !== undefined) {
      out.push({ path: ['faults', i, 'schedule'], message: 'seeded fault schedules run in simulation only; live, give a fixed atS' });
    } else if (f.kind === 'partition') {
      out.push({ path: ['faults', i, 'kind'], message: 'partition faults run in simulation only; live, use crash, hang, slowdown or kv-loss' });
    }
  });
  return out;
}

/** A user command run at a time of a live run (`live.commands`), e.g. deleting a pod. */
export interface FaultCommand {
  readonly atS: number;
  readonly run: string;
  readonly timeoutS: number;
}

/** How a fault command ended. */
export interface FaultCommandResult {
  readonly run: string;
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly ms: number;
  /** The last 2,000 characters of its stdout and stderr. */
  readonly outputTail: string;
}

/**
 * Run a command with `sh -c` in its own process group, bounded by its timeout (then the whole
 * group gets SIGTERM, so a shell's children do not keep it alive); never rejects.
 */
export function runFaultCommand(cmd: FaultCommand): Promise<FaultCommandResult> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    let out = '';
    let signal: string | null = null;
    const keep = (b: Buffer): void => {
      out = (out + b.toString('utf8')).slice(-2000);
    };
    const child = spawn('sh', ['-c', cmd.run], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const timer = setTimeout(() => {
      signal = 'SIGTERM';
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }, cmd.timeoutS * 1000);
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ run: cmd.run, exitCode: null, signal: null, ms: performance.now() - t0, outputTail: String(e) });
    });
    child.on('close', (code, sig) => {
      clearTimeout(timer);
      resolve({ run: cmd.run, exitCode: signal ? null : code, signal: signal ?? sig, ms: performance.now() - t0, outputTail: out });
    });
  });
}
