// The model and data specs with their validation: what a caller may describe without loading
// TensorFlow.js (validating a landscape needs no backend).
export { validateModelSpec, MODEL_KINDS } from './models/spec';
export type { ModelSpec, MlpSpec, CnnSpec, ResNetSpec, ModelKind } from './models/spec';
export { validateDataSpec, DATA_KINDS } from './data/spec';
export type { DataSpec, DataKind, MnistBundledSpec, MnistIdxSpec, CifarSpec, SyntheticSpec } from './data/spec';
