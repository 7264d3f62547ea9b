// The router's backends file, re-read on change: real files (a ConfigMap-style symlink swap too)
// and a real router over real loopback backends on ephemeral ports.
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderRuns } from '../../../workloads/render.js';
import { closeServer, listen, trackSockets } from '../http-util.js';
import { BackendsFileWatcher, parseBackends } from './backends-file.js';
import type { RouterServer } from './router-server.js';
import { cleanups, closeAfterEach, router } from './testdata/fixture.js';

closeAfterEach();
const tmp = mkdtempSync(join(tmpdir(), 'ab-backends-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const prompt = renderRuns([{ key: 3, start: 0, length: 32 }]);

/**
 * A backend that streams one token, then holds the stream open until `release()`: a request in
 * flight for as long as the test wants. `served` counts the generations it received.
 */
async function holdingBackend(): Promise<{ url: string; served: () => number; release: () => void }> {
  let served = 0;
  const held: (() => void)[] = [];
  let released = false;
  const server: Server = createServer((req, res) => {
    if (req.method === 'GET') return void res.end(); // /health, /v1/models
    req.resume();
    req.on('end', () => {
      served++;
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: {"id":"h","object":"text_completion","choices":[{"index":0,"text":" one","finish_reason":null}]}\n\n');
      const finish = () => res.end('data: {"id":"h","object":"text_completion","choices":[{"index":0,"text":" two","finish_reason":"length"}]}\n\ndata: [DONE]\n\n');
      if (released) finish();
      else held.push(finish);
    });
  });
  const sockets = trackSockets(server);
  const port = await listen(server, 0, '127.0.0.1');
  cleanups.push(() => closeServer(server, sockets));
  return {
    url: `http://127.0.0.1:${port}`, served: () => served,
    release: () => {
      released = true;
      for (const f of held.splice(0)) f();
    },
  };
}

const post = (url: string) => fetch(`${url}/v1/completions`, {
  method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ prompt, max_tokens: 2, stream: true }),
});

/** Wait (polling, bounded) until `cond` holds. */
async function until(cond: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function watch(r: RouterServer, file: string, logs: string[], pollMs = 50): BackendsFileWatcher {
  const w = new BackendsFileWatcher({
    file, initial: parseBackends([], file, undefined), pollMs,
    load: () => parseBackends([], file, undefined), apply: (s) => r.setUpstreams(s), log: (l) => logs.push(l),
  });
  w.start();
  cleanups.push(async () => w.close());
  return w;
}

describe('router --backends-file, re-read on change', () => {
  it('adds a backend written to the file, and removes one without dropping its request in flight', async () => {
    const [a, b] = [await holdingBackend(), await holdingBackend()];
    const file = join(tmp, 'add-remove.yaml');
    writeFileSync(file, `- { id: a, url: ${a.url} }\n`);
    const r = await router({ upstreams: parseBackends([], file, undefined) });
    const logs: string[] = [];
    watch(r, file, logs);

    const inFlight = post(r.url); // held open on a
    await until(() => a.served() === 1, 'the first request to reach a');
    writeFileSync(file, `- { id: b, url: ${b.url} }\n`);
    await until(() => r.upstreams.map((u) => u.id).join() === 'b', 'the router to swap a for b');
    expect(logs).toEqual([`router: backends file add-remove.yaml: added b=${b.url}; removed a=${a.url} (their requests in flight finish); now 1: b=${b.url}`]);

    b.release();
    const next = await post(r.url);
    expect(next.headers.get('x-agentbench-instance')).toBe('b');
    await next.text();
    a.release(); // the request on the removed backend still completes, whole
    const first = await inFlight;
    expect(first.status).toBe(200);
    expect(first.headers.get('x-agentbench-instance')).toBe('a');
    expect(await first.text()).toContain('data: [DONE]');
    expect(a.served()).toBe(1);
  });

  it('follows a ConfigMap update (the ..data symlink swapped to a new folder)', async () => {
    const [a, b] = [await holdingBackend(), await holdingBackend()];
    a.release();
    b.release();
    const dir = join(tmp, 'configmap');
    mkdirSync(join(dir, '..v1'), { recursive: true });
    writeFileSync(join(dir, '..v1/backends.yaml'), `- ${a.url}\n`);
    symlinkSync('..v1', join(dir, '..data'));
    symlinkSync('..data/backends.yaml', join(dir, 'backends.yaml'));
    const file = join(dir, 'backends.yaml');
    const r = await router({ upstreams: parseBackends([], file, undefined) });
    const logs: string[] = [];
    watch(r, file, logs);

    // What the kubelet does: write the new version aside, point a temporary link at it, rename it over ..data.
    mkdirSync(join(dir, '..v2'));
    writeFileSync(join(dir, '..v2/backends.yaml'), `- ${a.url}\n- ${b.url}\n`);
    symlinkSync('..v2', join(dir, '..data_tmp'));
    renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
    await until(() => r.upstreams.length === 2, 'the second backend');
    expect(r.upstreams.map((u) => `${u.id}=${u.url}`)).toEqual([`i0=${a.url}`, `i1=${b.url}`]);
    expect(logs).toEqual([`router: backends file backends.yaml: added i1=${b.url}; now 2: i0=${a.url}, i1=${b.url}`]);
    const seen = new Set<string>();
    for (let i = 0; i < 4; i++) {
      const res = await post(r.url);
      seen.add(res.headers.get('x-agentbench-instance')!);
      await res.text();
    }
    expect([...seen].sort()).toEqual(['i0', 'i1']);
  });

  it('bad content keeps the last good list and says why (once), and a fixed file is applied', async () => {
    const [a, b] = [await holdingBackend(), await holdingBackend()];
    const file = join(tmp, 'bad.yaml');
    writeFileSync(file, `- ${a.url}\n`);
    const r = await router({ upstreams: parseBackends([], file, undefined) });
    const logs: string[] = [];
    const w = new BackendsFileWatcher({
      file, initial: parseBackends([], file, undefined),
      load: () => parseBackends([], file, undefined), apply: (s) => r.setUpstreams(s), log: (l) => logs.push(l),
    }); // not started: check() by hand, no timers

    writeFileSync(file, '- not a url\n');
    expect(w.check()).toBe(false);
    expect(w.check()).toBe(false); // the same problem is not logged again
    writeFileSync(file, '[]\n');
    expect(w.check()).toBe(false);
    writeFileSync(file, `- { id: x, url: ${a.url} }\n- { id: x, url: ${b.url} }\n`);
    expect(w.check()).toBe(false);
    expect(logs).toEqual([
      `router: backends file bad.yaml: keeping the last good list: ${file}: 0: expected an http:// or https:// URL (expected a list of URLs or {id, url, apiKeyEnv})`,
      `router: backends file bad.yaml: keeping the last good list: ${file}: (top level): Too small: expected array to have >=1 items (expected a list of URLs or {id, url, apiKeyEnv})`,
      "router: backends file bad.yaml: keeping the last good list: router: duplicate backend id 'x'",
    ]);
    expect(r.upstreams.map((u) => u.url)).toEqual([a.url]);

    writeFileSync(file, `- ${a.url}\n- ${b.url}\n`);
    expect(w.check(false)).toBe(true); // the stat fallback sees the new size/mtime
    expect(r.upstreams.map((u) => u.url)).toEqual([a.url, b.url]);
    expect(w.check()).toBe(false); // unchanged content: nothing to do
  });
});
