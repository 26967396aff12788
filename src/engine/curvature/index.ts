// Curvature of a loss surface at a point from finite-difference Hessian-vector products.
export * from './hessian-vector';
export * from './symmetric-eigen';
export { lanczos, MAX_K, type LanczosOptions, type LanczosResult } from './lanczos';
export * from './trace';
export * from './power';
export * from './tangent';
export * from './index-count';
export * from './curvature';
export * from './step';
