import type { LiveSettings } from './live-schema.js';
import { runFaultCommand } from './live-faults.js';
import { HttpBackend } from './http-backend.js';
import { sendWarmups } from './local-stack.js';
import { WallClock } from './wall-clock.js';
import { targetApiKey } from './live-cell.js';

/**
 * Before a cell against a deployed target: reset it (`live.resetBetweenCells`, every cell but
 * the first: the target's prefix cache otherwise carries over) and warm it up
 * (`live.warmup.requests`, unrecorded). A reset that fails stops the run: the cells that follow
 * would not be comparable.
 */
export async function prepareTargetCell(live: LiveSettings, first: boolean): Promise<void> {
  const t = live.target;
  if (!t) return;
  if (!first && live.resetBetweenCells) {
    const r = await runFaultCommand({ atS: 0, ...live.resetBetweenCells });
    if (r.exitCode !== 0) {
      throw new Error(`live.resetBetweenCells: '${r.run}' exited ${r.exitCode ?? r.signal}; the next cells would not be comparable\n${r.outputTail}`);
    }
  }
  if (live.warmup.requests === 0) return;
  const clock = new WallClock();
  const backend = new HttpBackend({ baseUrl: t.baseUrl, model: t.model, apiKey: targetApiKey(live), clock, requestTimeoutUs: live.requestTimeoutS * 1e6, instanceLabel: 'target' });
  try {
    await sendWarmups(backend, 'target', live.warmup.requests);
  } finally {
    await backend.close();
    clock.close();
  }
}
