// Neural networks as Energies (loads TensorFlow.js): models as functions of one flat vector, data
// sets, training, evaluation, the neural Energy and its worker-thread pool.
export * from './specs';
export * from './models';
export * from './data';
export * from './train';
export * from './evaluate';
export * from './neural-energy';
export * from './pool';
