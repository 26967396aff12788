/**
 * Float64 reference implementations in plain JS, written from the PyTorch definitions (Linear:
 * x W^T + b with W [out, in]; Conv2d: W [out, in, kh, kw], zero padding, cross-correlation;
 * MaxPool2d(2); flatten in C, H, W order), to check the tfjs models' forward values and gradients.
 */

export type Params64 = Float64Array;

export interface Entry {
  name: string;
  offset: number;
  size: number;
  shape: readonly number[];
}

function at(entries: readonly Entry[], name: string): Entry {
  const e = entries.find((x) => x.name === name);
  if (!e) throw new Error(`no ${name}`);
  return e;
}

/** CHW image stored as Float64Array. */
interface Image {
  c: number;
  h: number;
  w: number;
  data: Float64Array;
}

export function linear64(p: Params64, entries: readonly Entry[], prefix: string, x: Float64Array): Float64Array {
  const W = at(entries, `${prefix}.weight`);
  const b = at(entries, `${prefix}.bias`);
  const [out, inn] = W.shape;
  const y = new Float64Array(out);
  for (let o = 0; o < out; o++) {
    let s = p[b.offset + o];
    for (let i = 0; i < inn; i++) s += p[W.offset + o * inn + i] * x[i];
    y[o] = s;
  }
  return y;
}

function conv64(p: Params64, entries: readonly Entry[], prefix: string, x: Image, pad: number): Image {
  const W = at(entries, `${prefix}.weight`);
  const b = at(entries, `${prefix}.bias`);
  const [out, inn, kh, kw] = W.shape;
  const h = x.h + 2 * pad - kh + 1;
  const w = x.w + 2 * pad - kw + 1;
  const data = new Float64Array(out * h * w);
  for (let o = 0; o < out; o++)
    for (let r = 0; r < h; r++)
      for (let c = 0; c < w; c++) {
        let s = p[b.offset + o];
        for (let i = 0; i < inn; i++)
          for (let u = 0; u < kh; u++)
            for (let v = 0; v < kw; v++) {
              const rr = r + u - pad;
              const cc = c + v - pad;
              if (rr < 0 || rr >= x.h || cc < 0 || cc >= x.w) continue;
              s += p[W.offset + ((o * inn + i) * kh + u) * kw + v] * x.data[(i * x.h + rr) * x.w + cc];
            }
        data[(o * h + r) * w + c] = s;
      }
  return { c: out, h, w, data };
}

function reluImage(x: Image): Image {
  return { ...x, data: x.data.map((v) => Math.max(0, v)) };
}

function maxPool64(x: Image): Image {
  const h = Math.floor(x.h / 2);
  const w = Math.floor(x.w / 2);
  const data = new Float64Array(x.c * h * w);
  for (let c = 0; c < x.c; c++)
    for (let r = 0; r < h; r++)
      for (let k = 0; k < w; k++) {
        let m = -Infinity;
        for (let u = 0; u < 2; u++) for (let v = 0; v < 2; v++) m = Math.max(m, x.data[(c * x.h + 2 * r + u) * x.w + 2 * k + v]);
        data[(c * h + r) * w + k] = m;
      }
  return { c: x.c, h, w, data };
}

/** Cross-entropy of one example's logits. */
export function crossEntropy64(logits: Float64Array, label: number): number {
  const m = Math.max(...logits);
  let s = 0;
  for (const v of logits) s += Math.exp(v - m);
  return Math.log(s) + m - logits[label];
}

/** MLP logits of one example (flat input in C, H, W order). */
export function mlp64(p: Params64, entries: readonly Entry[], layers: number, x: Float64Array): Float64Array {
  let h = x;
  for (let i = 0; i < layers; i++) {
    h = linear64(p, entries, `layers.${i}`, h);
    if (i + 1 < layers) h = h.map((v) => Math.max(0, v));
  }
  return h;
}

/** CNN logits of one example given as HWC (tfjs layout); converts to CHW first. */
export function cnn64(p: Params64, entries: readonly Entry[], convs: number, kernel: number, hwc: Float64Array, shape: readonly number[]): Float64Array {
  const [h, w, c] = shape;
  const data = new Float64Array(c * h * w);
  for (let r = 0; r < h; r++) for (let k = 0; k < w; k++) for (let ch = 0; ch < c; ch++) data[(ch * h + r) * w + k] = hwc[(r * w + k) * c + ch];
  let x: Image = { c, h, w, data };
  for (let i = 0; i < convs; i++) x = maxPool64(reluImage(conv64(p, entries, `convs.${i}`, x, (kernel - 1) / 2)));
  return linear64(p, entries, 'fc', x.data);
}

/** Mean cross-entropy over a batch for a per-example logits function. */
export function batchLoss64(p: Params64, logitsOf: (p: Params64, n: number) => Float64Array, labels: ArrayLike<number>): number {
  let s = 0;
  for (let n = 0; n < labels.length; n++) s += crossEntropy64(logitsOf(p, n), labels[n]);
  return s / labels.length;
}

/** Central difference of f at coordinate i, in float64. */
export function centralDifference(f: (p: Params64) => number, p: Params64, i: number, eps: number): number {
  const q = Float64Array.from(p);
  q[i] = p[i] + eps;
  const up = f(q);
  q[i] = p[i] - eps;
  const down = f(q);
  return (up - down) / (2 * eps);
}
