/**
 * OpenBLAS sgemm roofline, measured through numpy (its wheels bundle OpenBLAS) in a child
 * process, so the bench needs no native addon. Returns null with the reason when unavailable.
 */
import { spawnSync } from 'node:child_process';

const SCRIPT = `
import sys, time
import numpy as np
n = int(sys.argv[1])
a = np.random.rand(n, n).astype(np.float32); b = np.random.rand(n, n).astype(np.float32)
a @ b
reps, t0 = 0, time.perf_counter()
while time.perf_counter() - t0 < 1.0:
    a @ b; reps += 1
dt = (time.perf_counter() - t0) / reps
cfg = np.show_config(mode='dicts') if hasattr(np, 'show_config') else {}
blas = cfg.get('Build Dependencies', {}).get('blas', {}).get('name', '?') if isinstance(cfg, dict) else '?'
print(2 * n ** 3 / dt / 1e9, blas)
`;

export interface BlasResult {
  gflops: number;
  library: string;
}

export function openBlasSgemm(n: number, threads: number): BlasResult | string {
  const run = spawnSync('python3', ['-c', SCRIPT, String(n)], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, OPENBLAS_NUM_THREADS: String(threads), OMP_NUM_THREADS: String(threads) },
  });
  if (run.error) return `python3 not runnable (${run.error.message})`;
  if (run.status !== 0) return `numpy not available (${(run.stderr || '').trim().split('\n').pop()})`;
  const [gflops, library] = run.stdout.trim().split(/\s+/);
  if (!/openblas/i.test(library ?? '')) return `numpy is not linked to OpenBLAS (blas: ${library})`;
  return { gflops: Number(gflops), library };
}
