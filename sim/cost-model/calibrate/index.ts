export { nnls } from './nnls.js';
export {
  observationFileSchema, loadObservationFile, toObservations, ObservationError,
  type ObservationFile, type Observation, type Metric,
} from './observations.js';
export { fitCoefficients, type FitResult } from './fit.js';
export {
  calibrationFileSchema, loadCalibrationFile, calibrationFor, calibrationFileContent, type CalibrationFile,
} from './calibration-file.js';
