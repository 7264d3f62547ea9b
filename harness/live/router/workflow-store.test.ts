import { afterEach, describe, expect, it } from 'vitest';
import { SeededRng } from '../../../policies/rng.js';
import { RoundRobinPolicy } from '../../../policies/routing/round-robin.js';
import { WallClock } from '../wall-clock.js';
import { startRouterServer, type RouterServer } from './router-server.js';
import { WorkflowStore } from './workflow-store.js';

describe('WorkflowStore', () => {
  it('counts affinity hits and migrations per workflow', () => {
    const s = new WorkflowStore();
    s.routed('w', 'a', 'i0', 0);
    s.routed('w', 'b', 'i0', 1);
    s.routed('w', 'c', 'i1', 2);
    s.routed('v', 'a', 'i1', 3);
    expect(s.counters).toMatchObject({ workflowRequests: 4, affinityHits: 1, migrations: 1 });
    expect(s.status('w')).toMatchObject({ requests: 3, last_instance: 'i1', instances: { i0: 2, i1: 1 } });
  });

  it('bounds each agent queue, hands messages out oldest first, and expires idle workflows', () => {
    const s = new WorkflowStore({ ttlMs: 1000, maxQueue: 2, maxWorkflows: 10 });
    expect(s.post('w', { from: 'a', to: 'b', type: 'm', content: 1 }, 0)).toMatchObject({ from: 'a', to: 'b', content: 1 });
    expect(s.post('w', { from: 'a', to: 'b', type: 'm', content: 2 }, 0)).toMatchObject({ from: 'a', to: 'b', content: 2 });
    expect(s.post('w', { from: 'a', to: 'b', type: 'm', content: 3 }, 0)).toEqual({ refused: "message queue of agent 'b' in workflow 'w' is full", status: 429 });
    expect(s.counters.messagesRefused).toBe(1);
    expect(s.take('w', 'b', 1, 10).map((m) => m.content)).toEqual([1]);
    expect(s.take('w', 'b', 10, 10).map((m) => m.content)).toEqual([2]);
    s.routed('v', undefined, 'i0', 500);
    expect(s.sweep(1200)).toBe(1); // w last seen at 10, v at 500
    expect(s.status('w')).toBeUndefined();
    expect(s.status('v')).toMatchObject({ requests: 1, last_instance: 'i0' });
  });

  it('caps message size (413), agents per workflow and the bytes held over all workflows (429), and frees bytes on take, expiry and drop', () => {
    const s = new WorkflowStore({ ttlMs: 1000, maxQueue: 100, maxWorkflows: 2, maxMessageBytes: 100, maxAgentsPerWorkflow: 3, maxTotalBytes: 250 });
    const m = (from: string, to: string) => ({ from, to, type: 'm', content: null });
    expect(s.post('w', m('a', 'b'), 0, 101)).toEqual({ refused: 'message of 101 bytes is larger than 100 bytes', status: 413 });
    expect(s.post('w', m('a', 'b'), 0, 100)).toMatchObject({ from: 'a', to: 'b' });
    expect(s.post('w', m('a', 'c'), 0, 100)).toMatchObject({ to: 'c' });
    expect(s.post('w', m('a', 'd'), 0, 10)).toEqual({ refused: "workflow 'w' has 3 agents, the most allowed is 3", status: 429 });
    expect(s.post('v', m('x', 'y'), 0, 60)).toEqual({ refused: 'router message memory full (250 bytes queued over all workflows)', status: 429 });
    expect(s.queuedBytes).toBe(200);
    expect(s.take('w', 'b', 10, 1).map((x) => x.from)).toEqual(['a']);
    expect(s.queuedBytes).toBe(100);
    expect(s.post('v', m('x', 'y'), 1, 60)).toMatchObject({ to: 'y' });
    expect(s.queuedBytes).toBe(160);
    s.routed('u', undefined, 'i0', 2); // a third workflow drops the least recently seen (w, 100 bytes queued)
    expect(s.status('w')).toBeUndefined();
    expect(s.queuedBytes).toBe(60);
    expect(s.sweep(1500)).toBe(2);
    expect(s.queuedBytes).toBe(0);
    expect(s.counters.messagesRefused).toBe(3);
  });

  it('keeps at most maxWorkflows, dropping the least recently seen', () => {
    const s = new WorkflowStore({ ttlMs: 1e9, maxQueue: 10, maxWorkflows: 2 });
    s.routed('a', undefined, 'i0', 0);
    s.routed('b', undefined, 'i0', 1);
    s.routed('a', undefined, 'i0', 2);
    s.routed('c', undefined, 'i0', 3);
    expect(s.active).toBe(2);
    expect(s.status('b')).toBeUndefined();
  });
});

describe('agent-to-agent endpoints', () => {
  let r: RouterServer | undefined;
  afterEach(async () => {
    await r?.close();
    r = undefined;
  });

  it('queue, fetch and report messages over HTTP, with 429 on a full queue and 400 on bad input', async () => {
    r = await startRouterServer({
      upstreams: [{ id: 'x', url: 'http://127.0.0.1:9' }], policy: new RoundRobinPolicy(), rng: new SeededRng(1), clock: new WallClock(),
      blockSize: 16, health: { intervalMs: 60_000, scrapeIntervalMs: 0 }, workflowStore: { maxQueue: 1 },
    });
    const post = (body: unknown) => fetch(`${r!.url}/v1/workflows/wf%201/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const created = await post({ source_agent: 'planner', target_agent: 'worker', content: { task: 't1' }, message_type: 'task' });
    expect(created.status).toBe(201);
    expect((await post({ from_agent: 'planner', to_agent: 'worker', content: 'again' })).status).toBe(429);
    expect((await post({ source_agent: 'planner' })).status).toBe(400);
    const status = (await (await fetch(`${r.url}/v1/workflows/wf%201/status`)).json()) as { pending_messages: Record<string, number>; agents: string[] };
    expect(status.pending_messages).toEqual({ worker: 1 });
    expect(status.agents.sort()).toEqual(['planner', 'worker']);
    const got = (await (await fetch(`${r.url}/v1/workflows/wf%201/agents/worker/messages`)).json()) as { messages: { content: unknown; message_type: string; source_agent: string }[] };
    expect(got.messages).toEqual([expect.objectContaining({ content: { task: 't1' }, message_type: 'task', source_agent: 'planner' })]);
    const again = (await (await fetch(`${r.url}/v1/workflows/wf%201/agents/worker/messages`)).json()) as { messages: unknown[] };
    expect(again.messages).toEqual([]);
    expect((await fetch(`${r.url}/v1/workflows/nope/status`)).status).toBe(404);
    expect((await fetch(`${r.url}/v1/workflows/wf%201/agents/worker/messages?limit=0`)).status).toBe(400);
  });
});
