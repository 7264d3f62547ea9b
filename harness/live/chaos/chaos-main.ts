// `npm run chaos`: the bounded chaos run of issue 14 at full size, the router in its own
// process (its RSS measured). Loopback only; ends by itself (about 10 s of load).
import { fileURLToPath } from 'node:url';
import { chaosTable, defaultTimeline, runChaos } from './chaos-run.js';

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : dflt;
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name}: expected a positive number`);
  return v;
};

const requests = arg('requests', 400);
const intervalMs = arg('interval-ms', 25);
const settleMs = arg('settle-ms', 1000);
const report = await runChaos({
  requests, intervalMs, warmup: arg('warmup', 200), timeline: defaultTimeline(requests * intervalMs),
  router: { mode: 'process', cli: fileURLToPath(new URL('../../cli/main.js', import.meta.url)) },
  timeScale: 1, maxTokens: 24, settleMs,
});
process.stdout.write(`${chaosTable(report)}\n`);
if (process.argv.includes('--slowest')) {
  const slow = [...report.records].sort((a, b) => b.latencyMs - a.latencyMs).slice(0, 8);
  for (const r of slow) process.stdout.write(`${r.id} sent at ${report.sentAtMs[r.id]} ms ${r.streamed ? 'stream' : 'json'} ${r.ok ? 'ok' : r.reason} ${r.latencyMs.toFixed(0)} ms\n`);
}
process.exitCode = report.endedExactlyOnce && report.failedBeforeFirstToken === 0 ? 0 : 1;
