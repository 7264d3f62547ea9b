import type { Command } from 'commander';
import { calibrationFor } from '../../sim/cost-model/calibrate/calibration-file.js';
import { COEFFICIENT_NAMES, DEFAULT_ROOFLINE, mergeCoefficients, type CoefficientOverrides, type RooflineCoefficients } from '../../sim/cost-model/coefficients.js';
import { RooflineCostModel } from '../../sim/cost-model/roofline.js';
import { addToShape, emptyShape, type StepBreakdown } from '../../sim/cost-model/types.js';
import { InputError } from '../../workloads/input-error.js';
import {
  GPU_HELP, MODEL_HELP, collectDecode, collectPrefill, modelAndGpu, parsePositiveInt, si, table, type DecodeArg, type PrefillArg,
} from './cost-args.js';

interface ExplainFlags {
  model: string; gpu: string; tp: number; prefill?: PrefillArg[]; decode?: DecodeArg[]; calibration?: string; json?: boolean;
}

/** `agentbench explain-step` */
export function registerExplainStep(program: Command): void {
  program
    .command('explain-step')
    .description('break one engine step\'s time down by component and say whether each is compute-, memory- or network-bound')
    .requiredOption('--model <model>', MODEL_HELP)
    .requiredOption('--gpu <gpu>', GPU_HELP)
    .option('--tp <n>', 'tensor-parallel degree', parsePositiveInt, 1)
    .option('--prefill <spec>', 'prefill chunk(s) [COUNTx]TOKENS[@CONTEXT], e.g. 512 or 512@4096 (repeatable)', collectPrefill)
    .option('--decode <spec>', 'decodes [COUNTx]CONTEXT, e.g. 32x2048 (repeatable)', collectDecode)
    .option('--calibration <file>', 'use the coefficients of a calibration file (from agentbench calibrate)')
    .option('--json', 'print the breakdown as JSON')
    .action((o: ExplainFlags) => {
      const { model, gpu } = modelAndGpu(o.model, o.gpu, o.tp);
      const prefill = o.prefill ?? [];
      const decode = o.decode ?? [];
      if (prefill.length === 0 && decode.length === 0) {
        throw new InputError(['explain-step: give at least one --prefill or --decode (e.g. --prefill 512 --decode 32x2048)']);
      }
      let calibrated: CoefficientOverrides | undefined;
      if (o.calibration !== undefined) {
        try {
          calibrated = calibrationFor(o.calibration, model, gpu.name, o.tp);
        } catch (e) {
          throw new InputError([`--calibration: ${(e as Error).message}`]);
        }
      }
      const coefficients = mergeCoefficients(DEFAULT_ROOFLINE, calibrated);
      const shape = emptyShape();
      for (const p of prefill) for (let i = 0; i < p.count; i++) addToShape(shape, p.context, p.tokens, false, true);
      for (const d of decode) for (let i = 0; i < d.count; i++) addToShape(shape, d.context, 1, true, true);
      const cost = new RooflineCostModel(model, gpu, { coefficients, tensorParallel: o.tp });
      const b = cost.explain(shape);
      const batch = [
        ...prefill.map((p) => `${p.count > 1 ? `${p.count} x ` : ''}prefill ${p.tokens}${p.context > 0 ? ` after ${p.context}` : ''}`),
        ...decode.map((d) => `${d.count} decode${d.count > 1 ? 's' : ''} at context ${d.context}`),
      ].join(', ');
      // Each prefill's request went through the API-server front end before this step (a
      // chunk after CONTEXT tokens belongs to a prompt of CONTEXT + TOKENS tokens).
      const frontend = prefill.map((p) => ({ promptTokens: p.context + p.tokens, frontendUs: cost.frontendUs(p.context + p.tokens) }));
      if (o.json) {
        process.stdout.write(`${JSON.stringify({
          model: model.name, gpu: gpu.name, tensorParallel: o.tp, shape, coefficients,
          coefficientsSource: o.calibration ?? 'defaults', ...b, frontend,
        }, null, 2)}\n`);
        return;
      }
      process.stdout.write(`${model.name} on ${gpu.name} x${o.tp}: ${batch}\n` +
        `${breakdownText(b)}\n${frontendText(coefficients, frontend, b.gpuUs + b.cpuUs)}` +
        `coefficients (${o.calibration ?? 'defaults'}): ${coefficientsText(coefficients)}\n`);
    });
}

/** The breakdown as a table, one row per component with work, then the total. */
export function breakdownText(b: StepBreakdown): string {
  const rows: string[][] = [[
    'component', 'FLOPs', 'bytes', 'kernels', 'compute µs', 'memory µs', 'kv-read µs', 'ridge µs', 'network µs', 'fixed µs', 'time µs', 'share', 'bound',
  ]];
  const us = (v: number): string => (v === 0 ? '-' : v.toFixed(v >= 100 ? 0 : 1));
  for (const c of b.components) {
    if (c.timeUs === 0) continue;
    rows.push([
      c.name, c.flops ? si(c.flops) : '-', c.bytes ? si(c.bytes, 'B') : '-', c.kernels ? String(c.kernels) : '-',
      us(c.computeUs), us(c.memoryUs), us(c.kvReadUs), us(c.ridgeUs), us(c.networkUs), us(c.overheadUs), us(c.timeUs),
      `${((100 * c.timeUs) / b.totalUs).toFixed(1)}%`, c.bound,
    ]);
  }
  const overhead = b.totalUs === 0 ? '' :
    `\n  overhead (CPU) = per step ${us(b.stepOverheadUs)} µs + per sequence ${us(b.perSeqOverheadUs)} µs (${b.seqs} sequences) = ${us(b.cpuUs)} µs;` +
    ` GPU ${us(b.gpuUs)} µs; hidden by CPU/GPU overlap (cpuOverlap × min) ${us(b.hiddenUs)} µs;` +
    ` step = GPU + CPU − hidden`;
  return `${table(rows)}\n  step time ${(b.totalUs / 1000).toFixed(3)} ms for ${b.tokens} tokens in ${b.seqs} sequences (per rank; ` +
    'time = fixed + smooth roofline of compute and memory + network; ridge = what the smooth roofline adds over max(compute, ' +
    `memory) where neither hides the other; kv-read = the paged K/V read at the attention bandwidth, part of memory)${overhead}`;
}

/**
 * The front end each prefill's request paid before the engine saw it, and what a request alone
 * would see as TTFT: front end + this step on an idle engine, where no previous step hides its
 * CPU work (GPU + CPU), when this step holds its last prefill chunk.
 */
export function frontendText(k: RooflineCoefficients, frontend: readonly { promptTokens: number; frontendUs: number }[], idleStepUs: number): string {
  return frontend.map((f) =>
    `  front end (per request, before the engine) = frontendUs ${k.frontendUs} + frontendPerPromptTokenUs ${k.frontendPerPromptTokenUs}` +
    ` × ${f.promptTokens} prompt tokens = ${f.frontendUs.toFixed(0)} µs; alone, TTFT = front end + this step on an idle engine` +
    ` (GPU + CPU, nothing hidden) = ${((f.frontendUs + idleStepUs) / 1000).toFixed(3)} ms\n`).join('');
}

function coefficientsText(k: RooflineCoefficients): string {
  return COEFFICIENT_NAMES.map((n) => `${n} ${Number(k[n].toPrecision(4))}`).join(', ');
}
