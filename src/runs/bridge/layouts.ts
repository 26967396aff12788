// The parameter layout (PyTorch names and shapes) of a landscape's architecture, for safetensors.
import { getSurface, type TensorSpec } from '../../engine';
import { createModel } from '../../engine/neural';
import type { Landscape } from '../../store/entities';
import { engineModelSpec } from './specs';

const cache = new Map<string, TensorSpec[]>();

export function landscapeLayout(landscape: Landscape): TensorSpec[] {
  const key = JSON.stringify([landscape.architecture, landscape.dataset]);
  let layout = cache.get(key);
  if (!layout) {
    const architecture = landscape.architecture;
    if (architecture.kind === 'surface') {
      getSurface(architecture.name); // throws for an unknown surface
      layout = [{ name: 'xy', shape: [2] }];
    } else {
      const model = createModel(engineModelSpec(architecture, landscape.dataset!));
      layout = model.layout.entries.map((e) => ({ name: e.name, shape: [...e.shape] }));
    }
    cache.set(key, layout);
  }
  return layout;
}

/** Number of parameters of a point of the landscape (2 for the analytic surfaces). */
export function landscapeDimension(landscape: Landscape): number {
  return landscapeLayout(landscape).reduce((n, t) => n + t.shape.reduce((size, d) => size * d, 1), 0);
}
