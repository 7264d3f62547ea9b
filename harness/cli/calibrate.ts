import { writeFlagFile } from '../runner/out-path.js';
import type { Command } from 'commander';
import { calibrationFileContent } from '../../sim/cost-model/calibrate/calibration-file.js';
import { fitCoefficients } from '../../sim/cost-model/calibrate/fit.js';
import { ObservationError, loadObservationFile, toObservations } from '../../sim/cost-model/calibrate/observations.js';
import { loadGpu, loadGpuArg, loadModel } from '../../sim/cost-model/catalog/index.js';
import { COEFFICIENT_NAMES, DEFAULT_ROOFLINE } from '../../sim/cost-model/coefficients.js';
import { interconnectProblem, type GpuSpec } from '../../sim/cost-model/gpu-spec.js';
import { tensorParallelProblem, type ModelSpec } from '../../sim/cost-model/model-spec.js';
import { InputError } from '../../workloads/input-error.js';
import { GPU_HELP, table } from './cost-args.js';

/** `agentbench calibrate` */
export function registerCalibrate(program: Command): void {
  program
    .command('calibrate')
    .description('fit the cost model\'s coefficients to measured step times or per-request timings (format: docs/calibration.md, "Observation file")')
    .requiredOption('--observations <file>', 'observation file (JSON or YAML)')
    .option('-o, --out <file>', 'where to write the calibration', 'calibration.json')
    .option('--gpu <gpu>', `the GPU the observations were measured on, instead of the file's gpu: ${GPU_HELP}`)
    .option('--cpu-overlap <fraction>', 'how much of min(GPU, CPU) time the measured engine hid by overlapping them: 1 = async scheduling (vLLM\'s default), 0 = synchronous (--no-async-scheduling); held, not fitted', '1')
    .option('--json', 'print the fit as JSON instead of the table')
    .action((o: { observations: string; out: string; gpu?: string; cpuOverlap: string; json?: boolean }) => {
      const cpuOverlap = Number(o.cpuOverlap);
      if (o.cpuOverlap.trim() === '' || !Number.isFinite(cpuOverlap) || cpuOverlap < 0 || cpuOverlap > 1) {
        throw new InputError([`--cpu-overlap: expected a number from 0 to 1, found ${JSON.stringify(o.cpuOverlap)}`]);
      }
      let loaded;
      try {
        loaded = loadObservationFile(o.observations);
      } catch (e) {
        if (e instanceof ObservationError) throw new InputError(e.problems);
        throw e;
      }
      const { file, modelRef, gpuRef } = loaded;
      let model: ModelSpec;
      let gpu: GpuSpec;
      try {
        model = loadModel(modelRef);
      } catch (e) {
        throw new InputError([`${o.observations}: ${(e as Error).message}`]);
      }
      try {
        gpu = o.gpu !== undefined ? loadGpuArg(o.gpu) : typeof gpuRef === 'string' ? loadGpu(gpuRef) : gpuRef;
      } catch (e) {
        throw new InputError([`${o.gpu !== undefined ? '--gpu' : o.observations}: ${(e as Error).message}`]);
      }
      const tp = tensorParallelProblem(model, file.tensorParallel);
      if (tp) throw new InputError([`${o.observations}: tensorParallel: ${model.name}: ${tp}`]);
      const link = interconnectProblem(gpu, file.tensorParallel);
      if (link) throw new InputError([`${o.gpu !== undefined ? '--gpu' : `${o.observations}: gpu`}: ${link}`]);
      const fit = fitCoefficients(model, gpu, file.tensorParallel, toObservations(file), { ...DEFAULT_ROOFLINE, cpuOverlap });
      const out = calibrationFileContent(model, gpu.name, file.tensorParallel, fit, { steps: file.steps.length, requests: file.requests.length });
      writeFlagFile('--out', o.out, `${JSON.stringify(out, null, 2)}\n`);
      for (const w of fit.warnings) process.stderr.write(`warning: ${w}\n`);
      if (o.json) {
        process.stdout.write(`${JSON.stringify({ out: o.out, ...out, iterations: fit.iterations, warnings: fit.warnings }, null, 2)}\n`);
        return;
      }
      const coeffRows = [['coefficient', 'default', 'fitted', ''], ...COEFFICIENT_NAMES.map((n) => [
        n, String(DEFAULT_ROOFLINE[n]), String(Number(fit.coefficients[n].toPrecision(4))), fit.fitted.includes(n) ? 'fitted' : 'held',
      ])];
      const mapeRows = [['metric', 'observations', 'MAPE defaults', 'MAPE fitted'], ...Object.entries(fit.mape).map(([m, v]) => [
        m, String(v.n), `${(100 * v.prior).toFixed(1)}%`, `${(100 * v.fitted).toFixed(1)}%`,
      ])];
      process.stdout.write(
        `${model.name} on ${gpu.name} x${file.tensorParallel}: ${file.steps.length} step and ${file.requests.length} request observations\n` +
        `${table(coeffRows)}\n\n${table(mapeRows)}\n\ncalibration written to ${o.out} (use it with cluster.calibration or --calibration)\n`,
      );
    });
}
