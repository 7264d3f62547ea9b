import { hashString, type TokenRun } from '../../policies/kv/hash.js';
import { RoundRobinPolicy } from '../../policies/routing/round-robin.js';
import type { RoutingPolicy } from '../../policies/types.js';
import type { CallError, CallResult, LlmCall } from '../../workloads/backend.js';
import { SimInstance } from '../cluster/instance.js';
import { LinearCostModel, testEngine } from '../engine/testing.js';
import { SeededRng } from '../../policies/rng.js';
import { SimBackend } from '../sim-backend.js';
import { SimClock } from '../sim-clock.js';
import { startFailover } from './failover.js';
import { LostKvLedger } from './lost-kv.js';
import { faultSchema, healthConfig, routerOptions, routerSchema } from './spec.js';

/** Everything one call went through, as its client saw it. */
export interface CallLog {
  tokens: number;
  firstTokenUs: number;
  result?: CallResult;
  error?: CallError;
  /** Attempts the router gave up on before the end. */
  attemptsFailed: CallError[];
}

/**
 * A small simulated cluster (LinearCostModel: a step costs 1 ms + 10 µs per prefill token +
 * 5 µs per decoding sequence; 1,000 KV blocks of 16 tokens per instance) with faults, health
 * checks and the router's retries, for tests. Every call is checked to end exactly once.
 */
export function faultRig(o: {
  instances?: number;
  faults?: unknown[];
  router?: Record<string, unknown>;
  routing?: RoutingPolicy;
  /** Health checks and scheduled faults stop after this time (µs). */
  liveUntilUs?: number;
  seed?: number;
} = {}) {
  const clock = new SimClock();
  const instances = Array.from({ length: o.instances ?? 2 }, (_, i) =>
    new SimInstance(`i${i}`, testEngine({ numBlocks: 1000 }, undefined, new LinearCostModel()), clock));
  const routerSpec = routerSchema.parse(o.router ?? {});
  const ledger = new LostKvLedger(16);
  const root = new SeededRng(o.seed ?? 1);
  const backend = new SimBackend(clock, instances, o.routing ?? new RoundRobinPolicy(), root.fork('routing'), {
    blockSize: 16, viewRefreshUs: 0, check: true, router: routerOptions(routerSpec),
    onAttemptOk: (req, _inst, hashes) => ledger.onPrefilled(req, hashes),
  });
  const liveUntil = o.liveUntilUs ?? 600e6;
  const failover = startFailover({
    clock, backend, instances, ledger, rng: root.fork('faults'), live: () => clock.nowUs() < liveUntil,
    faults: (o.faults ?? []).map((f) => faultSchema.parse(f)), health: healthConfig(routerSpec),
  });
  const logs = new Map<string, CallLog>();

  /** Submit call `id` at `atUs`: a prompt of named content runs, and its output length. */
  const send = (id: string, atUs: number, runs: [string, number][], outputTokens: number): CallLog => {
    const prompt: TokenRun[] = runs.map(([label, length]) => ({ key: hashString(label), start: 0, length }));
    const call: LlmCall = {
      id, prompt, promptTokens: prompt.reduce((s, r) => s + r.length, 0), outputKey: hashString(`out:${id}`),
      outputTokens, maxTokens: outputTokens, workflowId: id, agentId: 'a',
    };
    const log: CallLog = { tokens: 0, firstTokenUs: NaN, attemptsFailed: [] };
    logs.set(id, log);
    const ended = (): void => {
      if (log.result || log.error) throw new Error(`call ${id} ended twice`);
    };
    clock.at(atUs, 'arrival', () => backend.submit(call, {
      onToken: (now, first) => {
        if (log.result || log.error) throw new Error(`token after the end of ${id}`);
        log.tokens++;
        if (first) log.firstTokenUs = now;
      },
      onDone: (r) => {
        ended();
        log.result = r;
      },
      onError: (e) => {
        ended();
        log.error = e;
      },
      onAttemptFailed: (e) => {
        if (log.result || log.error) throw new Error(`attempt failed after the end of ${id}`);
        log.attemptsFailed.push(e);
      },
    }));
    return log;
  };
  return { clock, instances, backend, failover, ledger, send, logs };
}
