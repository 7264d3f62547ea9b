import { totalmem } from 'node:os';
import { kvCapacity } from '../../sim/cost-model/capacity.js';
import { InputError } from '../../workloads/input-error.js';
import type { ClusterSpec } from '../scenario/schema.js';
import type { ResolvedCluster } from './resolve.js';

/**
 * Host bytes the simulator holds per KV block (block pool, hash index, free list: ~86 B measured
 * with 2M blocks; rounded up) and per instance (engine, scheduler, queues).
 */
export const SIM_BYTES_PER_BLOCK = 96;
export const SIM_BYTES_PER_INSTANCE = 256 * 1024;
/** Share of the machine's memory a run may plan to use (the rest is the OS, Node and the records). */
export const MEMORY_SHARE = 0.5;

const gib = (bytes: number): string => `${(bytes / 1024 ** 3).toFixed(1)} GiB`;

/** Host memory a simulated cluster needs before any request arrives, bytes. */
export function simMemoryBytes(instances: number, blocksPerInstance: number): number {
  return instances * (blocksPerInstance * SIM_BYTES_PER_BLOCK + SIM_BYTES_PER_INSTANCE);
}

/**
 * Refuse, before any work, a cluster the simulator cannot hold in this machine's memory (with the
 * estimate), and — unless `force` — `kvBlocks` beyond what the GPU's memory holds (a typo that
 * would make every result meaningless). Returns warnings to print (forced KV overcommit).
 */
export function checkClusterFits(spec: ClusterSpec, c: ResolvedCluster, file: string, o: { force?: boolean | undefined; totalBytes?: number | undefined } = {}): string[] {
  const warnings: string[] = [];
  const blocks = c.engine.numBlocks;
  const need = simMemoryBytes(c.instances, blocks);
  const total = o.totalBytes ?? totalmem();
  if (need > total * MEMORY_SHARE) {
    throw new InputError([
      `${file}: cluster: ${c.instances.toLocaleString('en-US')} instances × ${blocks.toLocaleString('en-US')} KV blocks need about ${gib(need)} ` +
      `of host memory to simulate (${SIM_BYTES_PER_BLOCK} B per block); this machine has ${gib(total)} and a run may use ${MEMORY_SHARE * 100}% of it. ` +
      'Use fewer instances or set cluster.kvBlocks lower',
    ]);
  }
  if (spec.kvBlocks !== undefined) {
    const fits = kvCapacity(c.model, c.gpu, {
      blockSize: spec.blockSize, gpuMemoryUtilization: spec.gpuMemoryUtilization,
      tensorParallel: spec.tensorParallel, activationReserveGiB: spec.activationReserveGiB,
    }).numBlocks;
    if (spec.kvBlocks > fits) {
      const msg = `${file}: cluster.kvBlocks: ${spec.kvBlocks.toLocaleString('en-US')} blocks are ${gib(spec.kvBlocks * c.capacity.kvBytesPerBlock)} of KV per instance, ` +
        `but ${c.gpu.name} (${c.gpu.memoryGiB} GiB × gpuMemoryUtilization ${spec.gpuMemoryUtilization}, after weights) holds ${fits.toLocaleString('en-US')} blocks`;
      if (!o.force) throw new InputError([`${msg}; pass --force to simulate it anyway`]);
      warnings.push(`warning: ${msg} (--force)`);
    }
  }
  return warnings;
}
