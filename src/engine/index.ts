// Public API of the engine (the package's main entry): path mathematics over any Energy. Loads no
// TensorFlow.js: neural networks are in ./neural (and its tfjs-free specs in ./neural/specs), the
// tfjs backend in ./tfjs. One `export *` line per module.
export * from './energy';
export * from './random';
export * from './errors';
export * from './vector';
export * from './surfaces';
export * from './exact-path';
export * from './path';
export * from './minimize';
export * from './neb/tangent';
export * from './neb/methods';
export * from './neb/optimizers';
export * from './neb/step';
export * from './autoneb/config';
export * from './autoneb/insertion';
export * from './autoneb/run';
export * from './landscape';
export * from './safetensors';
