// Public API of the engine (the package's main entry). One `export *` line per module.
export * from './energy';
export * from './random';
export * from './errors';
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
