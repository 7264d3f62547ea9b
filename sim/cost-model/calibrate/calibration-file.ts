import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { coefficientOverridesSchema, type CoefficientOverrides } from '../coefficients.js';
import { modelFingerprint, type ModelSpec } from '../model-spec.js';

/** What `agentbench calibrate --out` writes and a scenario's `cluster.calibration` reads. */
export const calibrationFileSchema = z.looseObject({
  kind: z.literal('agentbench-calibration'),
  schemaVersion: z.literal(1),
  /** The model and GPU the fit was made for (a scenario using others is refused). */
  model: z.string(),
  /** modelFingerprint() of the model: architecture, not file name, decides the match. */
  modelFingerprint: z.string(),
  gpu: z.string(),
  tensorParallel: z.int().positive(),
  coefficients: coefficientOverridesSchema,
});

/** A calibration file. */
export type CalibrationFile = z.output<typeof calibrationFileSchema>;

/** Read a calibration file; throws Error with the file and key path on bad input. */
export function loadCalibrationFile(path: string): CalibrationFile {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`cannot read calibration file ${path}: ${(e as Error).message}`);
  }
  const parsed = calibrationFileSchema.safeParse(raw);
  if (!parsed.success) {
    const why = parsed.error.issues.map((i) => `${i.path.map(String).join('.') || '(top level)'}: ${i.message}`).join('; ');
    throw new Error(`${path}: not an agentbench calibration file: ${why}`);
  }
  return parsed.data;
}

/** The coefficients of a calibration file checked against the model, GPU and TP degree in use. */
export function calibrationFor(path: string, model: ModelSpec, gpu: string, tensorParallel: number): CoefficientOverrides {
  const f = loadCalibrationFile(path);
  if (f.modelFingerprint !== modelFingerprint(model) || f.gpu !== gpu || f.tensorParallel !== tensorParallel) {
    throw new Error(
      `${path} was fitted for ${f.model} on ${f.gpu} x${f.tensorParallel}, but the cluster runs ${model.name} on ${gpu} x${tensorParallel}; ` +
      'recalibrate for this set-up or override coefficients under cluster.costModel',
    );
  }
  // Files written before cpuOverlap existed carry every other coefficient, stepOverheadUs fitted
  // with CPU and GPU time adding up: keep them synchronous rather than hide that overhead now.
  if (f.coefficients.cpuOverlap === undefined && f.coefficients.stepOverheadUs !== undefined) return { ...f.coefficients, cpuOverlap: 0 };
  return f.coefficients;
}

/** The calibration file for a fit (what `agentbench calibrate --out` writes). */
export function calibrationFileContent(
  model: ModelSpec, gpu: string, tensorParallel: number,
  fit: { coefficients: CoefficientOverrides; fitted: readonly string[]; held: readonly string[]; mape: unknown },
  observations: { steps: number; requests: number },
): CalibrationFile {
  return {
    kind: 'agentbench-calibration', schemaVersion: 1,
    model: model.name, modelFingerprint: modelFingerprint(model), gpu, tensorParallel,
    coefficients: fit.coefficients, fitted: fit.fitted, held: fit.held, observations, mape: fit.mape,
  };
}
