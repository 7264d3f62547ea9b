// A worker thread of `run --jobs N`: runs the simulated cells it is sent, one at a time.
import { parentPort } from 'node:worker_threads';
import { simCellSpec, type SimCellJob } from './cell-job.js';
import { runSimCell } from './sim-cell.js';
import { ensurePolicyModules } from '../scenario/policy-modules.js';
import { packCellResult } from './cell-transfer.js';

parentPort!.on('message', async (m: { id: number; job: SimCellJob }) => {
  try {
    // User policy modules the scenario names are loaded per thread (Node caches them after the first cell).
    await ensurePolicyModules(m.job.scenario);
    // Records as transferable columns: structured clone of ~10^5 row objects costs more than the cell's reports.
    const transfer: ArrayBuffer[] = [];
    const packed = packCellResult(runSimCell(simCellSpec(m.job)), transfer);
    parentPort!.postMessage({ id: m.id, packed }, transfer);
  } catch (e) {
    const err = e as Error & { problems?: readonly string[] };
    parentPort!.postMessage({ id: m.id, error: { name: err.name, message: err.message, stack: err.stack, problems: err.problems } });
  }
});
