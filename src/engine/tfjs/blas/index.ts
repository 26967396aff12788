export { loadNativeBlas, loadNblasForThisThread, configureBlasThreads, DEFAULT_BLAS_THREADS, NATIVE_BLAS_MODULE } from './binding';
export type { NativeBlas, Sgemm } from './binding';
export { registerNativeKernels, unregisterNativeKernels, nativeKernelsRegistered, nativeKernels } from './kernels';
export { registerWasmExtras, unregisterWasmExtras } from '../fixes/wasm-extras';
