import { describe, expect, it } from 'vitest';
import { SeededRng } from '../policies/rng.js';
import type { ArrivalProcess } from './arrivals.js';
import { ArrivalDriver } from './driver.js';
import type { WorkflowFactory } from './pattern.js';
import { ClosedLoopStream, OpenLoopStream, type ArrivalStream, type Bounds } from './stream.js';
import type { Workflow } from './workflow.js';
import type { WorkloadSource } from './workload.js';

/** A workflow that only carries its id and arrival (the driver and streams read nothing else). */
const factory: WorkflowFactory = {
  build: (index, arrivalUs) => ({
    id: `w-${index}`, workload: 'w', pattern: 'chat', index, arrivalUs, sharing: 'none', contextKey: 0, contextTokens: 0,
    systemTokens: {}, expectedAgents: [], priority: 0, nodes: [],
  }),
};
/** An arrival process replaying fixed times, then ended. */
const times = (...us: number[]): ArrivalProcess => ({ nextUs: () => us.shift() ?? null });

/** A minimal event loop: the driver's clock in these tests. */
function world(streams: ArrivalStream[]) {
  let nowUs = 0;
  const events: { atUs: number; seq: number; fn: () => void }[] = [];
  let seq = 0;
  const started: [number, string][] = [];
  // The driver reads only `streams` of its source.
  const driver = new ArrivalDriver({ streams } as unknown as WorkloadSource, {
    nowUs: () => nowUs,
    schedule: (atUs, fn) => void events.push({ atUs, seq: seq++, fn }),
    start: (wf: Workflow) => void started.push([nowUs, wf.id]),
  });
  /** Run events in time order up to `untilUs`. */
  const run = (untilUs = Infinity): void => {
    for (;;) {
      events.sort((a, b) => a.atUs - b.atUs || a.seq - b.seq);
      if (events.length === 0 || events[0]!.atUs > untilUs) return;
      const e = events.shift()!;
      nowUs = e.atUs;
      e.fn();
    }
  };
  return { driver, started, run, pending: () => events.length, setNow: (us: number) => (nowUs = us) };
}

const open = (process: ArrivalProcess, bounds: Bounds, accepts?: (a: { arrivalUs: number }) => boolean) =>
  new OpenLoopStream('main', 'wf', factory, process, new SeededRng(1), new SeededRng(2), bounds, accepts);

describe('ArrivalDriver with an open-loop stream', () => {
  it('keeps exactly one arrival scheduled and stops at the workflow bound', () => {
    const w = world([open(times(100.4, 250, 400), { workflows: 2 })]);
    w.driver.begin();
    expect(w.pending()).toBe(1);
    expect(w.driver.done).toBe(false);
    w.run(200);
    expect(w.started).toEqual([[100, 'w-0']]); // 100.4 µs rounds to 100
    expect(w.pending()).toBe(1);
    w.run();
    expect(w.started).toEqual([[100, 'w-0'], [250, 'w-1']]); // the bound of 2 stops before 400
    expect(w.driver.done).toBe(true);
  });

  it('stops at the duration bound, and when the process ends', () => {
    const byDuration = world([open(times(100, 250, 400), { durationUs: 300 })]);
    byDuration.driver.begin();
    byDuration.run();
    expect(byDuration.started.map(([t]) => t)).toEqual([100, 250]);
    const byProcess = world([open(times(10), {})]);
    byProcess.driver.begin();
    byProcess.run();
    expect(byProcess.started).toEqual([[10, 'w-0']]);
    expect(byProcess.driver.done).toBe(true);
  });

  it('finishes a stream whose arrival is no longer accepted when its time comes (and closes it)', () => {
    let closed = 0;
    const s = Object.assign(open(times(100, 200, 300), {}, (a) => a.arrivalUs < 150), { close: () => void closed++ });
    const w = world([s]);
    w.driver.begin();
    w.run();
    expect(w.started).toEqual([[100, 'w-0']]);
    expect([closed, w.pending(), w.driver.done]).toEqual([1, 0, true]);
  });

  it('refuses a second begin', () => {
    const w = world([open(times(), {})]);
    w.driver.begin();
    expect(() => w.driver.begin()).toThrow('ArrivalDriver.begin called twice');
  });
});

describe('ArrivalDriver with a closed-loop stream', () => {
  it('starts `concurrency` workflows at once, then one a think time after each end', () => {
    // Concurrency 2, think time 5 ms, 3 workflows.
    const w = world([new ClosedLoopStream(factory, 2, () => 5, new SeededRng(1), new SeededRng(2), { workflows: 3 })]);
    w.driver.begin();
    w.run();
    expect(w.started).toEqual([[0, 'w-0'], [0, 'w-1']]);
    expect(w.driver.done).toBe(false); // blocked, not exhausted
    w.setNow(1000);
    w.driver.workflowEnded('w-0');
    w.driver.workflowEnded('nobody'); // not one of its workflows: ignored
    w.run();
    expect(w.started).toEqual([[0, 'w-0'], [0, 'w-1'], [6000, 'w-2']]); // 1000 µs + 5 ms
    w.driver.workflowEnded('w-1'); // the bound of 3 is reached: the stream is exhausted
    expect(w.pending()).toBe(0);
    expect(w.driver.done).toBe(true);
  });

  it('never starts an arrival past the duration bound, and clamps a negative think time to 0', () => {
    const w = world([new ClosedLoopStream(factory, 1, () => -3, new SeededRng(1), new SeededRng(2), { durationUs: 2000 })]);
    w.driver.begin();
    w.run();
    w.setNow(1500);
    w.driver.workflowEnded('w-0');
    w.run();
    expect(w.started).toEqual([[0, 'w-0'], [1500, 'w-1']]);
    w.setNow(2500);
    w.driver.workflowEnded('w-1'); // next would be at 2500 > 2000: exhausted
    expect(w.driver.done).toBe(true);
  });

  it('throws when a workflow ends that the stream never started', () => {
    const s = new ClosedLoopStream(factory, 1, () => 0, new SeededRng(1), new SeededRng(2), {});
    expect(() => s.ended()).toThrow('closed-loop stream: a workflow ended that was never started');
  });
});
