import seedrandom from 'seedrandom';

/**
 * Seeded random numbers for the engine. Every random choice (initial weights, batches,
 * augmentation, random starts on surfaces) draws from a `Random` made from an explicit seed,
 * so the same config and seed give the same result bit for bit.
 */
export class Random {
  private readonly next: seedrandom.prng;
  private spareNormal: number | null = null;

  constructor(readonly seed: number | string) {
    this.next = seedrandom.alea(String(seed));
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    return this.next();
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Standard normal (Box-Muller; the second value of each pair is kept for the next call). */
  normal(): number {
    if (this.spareNormal !== null) {
      const value = this.spareNormal;
      this.spareNormal = null;
      return value;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const radius = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = radius * Math.sin(2 * Math.PI * v);
    return radius * Math.cos(2 * Math.PI * v);
  }

  /** A permutation of 0..n-1 (Fisher-Yates). */
  permutation(n: number): Int32Array {
    const order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    return order;
  }

  /** A child generator whose stream depends only on this seed and the label. */
  derive(label: string | number): Random {
    return new Random(`${this.seed}/${label}`);
  }
}
