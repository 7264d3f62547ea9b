import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import { renderRuns } from '../../workloads/render.js';

/**
 * `npm run bench:router`: what agentbench's router costs. An emulated engine and the router run
 * as separate processes on loopback (the engine at time scale 0.0001, so it answers in
 * microseconds of model time and the figures are HTTP + router work). This process then sends
 * the same non-streamed completion (64-token prompt, max_tokens 1)
 *  1. open loop at a fixed rate (default 500 req/s) with a cap of C requests in flight,
 *     directly to the engine and through the router: latency p50/p99 and the router's added
 *     latency (difference of the percentiles);
 *  2. closed loop at C concurrent requests: throughput direct and through the router.
 * Env: BENCH_RATE (500), BENCH_CONCURRENCY (32), BENCH_SECONDS (5 per phase).
 */
const CLI = fileURLToPath(new URL('../cli/main.js', import.meta.url));
const RATE = Number(process.env['BENCH_RATE'] ?? 500);
const CONCURRENCY = Number(process.env['BENCH_CONCURRENCY'] ?? 32);
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 5);
const BODY = JSON.stringify({
  model: 'llama-3.1-8b', prompt: renderRuns([{ key: 42, start: 0, length: 64 }]), max_tokens: 1, ignore_eos: true,
});

function start(args: string[]): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /(http:\/\/127\.0\.0\.1:\d+)\s*$/m.exec(out);
      if (m) resolve({ child, url: m[1]! });
    });
    child.once('exit', (code) => reject(new Error(`${args[0]} exited with ${code}: ${out}`)));
  });
}

const pct = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

async function one(pool: Pool): Promise<number> {
  const t0 = process.hrtime.bigint();
  const res = await pool.request({ path: '/v1/completions', method: 'POST', headers: { 'content-type': 'application/json' }, body: BODY });
  await res.body.text();
  if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode}`);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

/** Open loop at `rate` req/s for `seconds`, at most `cap` in flight (late sends are counted). */
async function openLoop(url: string, rate: number, seconds: number, cap: number): Promise<{ lat: number[]; skipped: number; achieved: number }> {
  const pool = new Pool(url, { connections: cap, pipelining: 1 });
  const lat: number[] = [];
  let inflight = 0;
  let skipped = 0;
  const total = Math.round(rate * seconds);
  const t0 = performance.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = t0 + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((ok) => setTimeout(ok, wait));
    if (inflight >= cap) {
      skipped++;
      continue;
    }
    inflight++;
    pending.push(one(pool).then((ms) => {
      lat.push(ms);
      inflight--;
    }));
  }
  await Promise.all(pending);
  const achieved = lat.length / ((performance.now() - t0) / 1000);
  await pool.close();
  return { lat: lat.sort((a, b) => a - b), skipped, achieved };
}

/** Closed loop: `c` workers back to back for `seconds`; requests per second. */
async function closedLoop(url: string, c: number, seconds: number): Promise<number> {
  const pool = new Pool(url, { connections: c, pipelining: 1 });
  const end = performance.now() + seconds * 1000;
  let n = 0;
  await Promise.all(Array.from({ length: c }, async () => {
    while (performance.now() < end) {
      await one(pool);
      n++;
    }
  }));
  await pool.close();
  return n / seconds;
}

async function main(): Promise<void> {
  const engine = await start(['engine', '--port', '0', '--time-scale', '0.0001', '--quiet']);
  const router = await start(['router', '--port', '0', '--backend', engine.url, '--routing', 'least-loaded', '--scrape-interval-ms', '1000']);
  try {
    // Warm both paths up (JIT, connections).
    await openLoop(engine.url, RATE, 1, CONCURRENCY);
    await openLoop(router.url, RATE, 1, CONCURRENCY);
    const direct = await openLoop(engine.url, RATE, SECONDS, CONCURRENCY);
    const routed = await openLoop(router.url, RATE, SECONDS, CONCURRENCY);
    const tDirect = await closedLoop(engine.url, CONCURRENCY, SECONDS);
    const tRouted = await closedLoop(router.url, CONCURRENCY, SECONDS);
    const f = (x: number): string => x.toFixed(3);
    const d50 = pct(direct.lat, 50);
    const d99 = pct(direct.lat, 99);
    const r50 = pct(routed.lat, 50);
    const r99 = pct(routed.lat, 99);
    process.stdout.write(
      `router bench: engine + router as separate processes on loopback, ${RATE} req/s open loop (cap ${CONCURRENCY} in flight), ${SECONDS} s per phase\n` +
      `  direct to engine   p50 ${f(d50)} ms  p99 ${f(d99)} ms  (${direct.lat.length} requests, ${direct.achieved.toFixed(0)} req/s, ${direct.skipped} skipped at cap)\n` +
      `  through router     p50 ${f(r50)} ms  p99 ${f(r99)} ms  (${routed.lat.length} requests, ${routed.achieved.toFixed(0)} req/s, ${routed.skipped} skipped at cap)\n` +
      `  added by router    p50 ${f(r50 - d50)} ms  p99 ${f(r99 - d99)} ms\n` +
      `  throughput at ${CONCURRENCY} concurrent: direct ${tDirect.toFixed(0)} req/s, through router ${tRouted.toFixed(0)} req/s\n`,
    );
  } finally {
    router.child.kill('SIGTERM');
    engine.child.kill('SIGTERM');
  }
}

await main();
