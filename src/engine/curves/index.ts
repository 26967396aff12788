// Curves between minima (Garipov et al. 2018): Bezier and polygonal chain, trained by SGD.
export * from './curve';
export * from './fit';
