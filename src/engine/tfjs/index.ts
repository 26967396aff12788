// The TensorFlow.js backend: its choice at start-up, the wasm kernel fixes and the native BLAS kernels.
export * from './backend';
export { configureBlasThreads, DEFAULT_BLAS_THREADS } from './blas';
