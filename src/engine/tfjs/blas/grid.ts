/**
 * The padded grid of a stride-1 convolution (NHWC). Lay the zero-padded input out as
 * [batch, gh, gw, c] and index every pixel of it by q = (b * gh + y) * gw + x. Output pixel
 * (b, oy, ox) is given the index q of grid pixel (b, oy, ox); the input it reads through tap
 * (fy, fx) then sits at q + shift(fy, fx) with shift = fy * dh * gw + fx * dw, the same for
 * every pixel. So "the inputs of tap t for all output pixels" is the grid itself, offset by
 * shift(t): a plain row-major matrix [rows, c] that BLAS reads in place, with no patch matrix.
 *
 * The price is junk: grid indices q whose (y, x) is not an output pixel are computed too and
 * dropped when the result leaves the grid, and gradients arriving at them must be zero (toGrid
 * zero-fills). To have less of it, a row's right padding doubles as the next row's left padding
 * (a read past the row's end wraps into zeros), and likewise between images: for 3x3 'same' on
 * 14x14 the grid is 15x15 rather than 16x16 per image, 15% junk instead of 31%.
 */
import type { backend_util } from '@tensorflow/tfjs';

export interface Grid {
  readonly batch: number;
  readonly gh: number;
  readonly gw: number;
  /** Where the input image starts in the grid (the padding before it). */
  readonly top: number;
  readonly left: number;
  /** Grid indices a product covers: 0 to the last output pixel (junk included). */
  readonly rows: number;
  /** Per tap, in the filter's [fh, fw] order: grid offset of the input it reads. */
  readonly shifts: readonly number[];
  /** Grid pixels to allocate: the batch, plus the zeros the last pixel's taps read past it. */
  readonly pixels: number;
}

/** The grid of a stride-1 convolution, or null for strided ones (they keep im2col). */
export function gridOf(info: backend_util.Conv2DInfo): Grid | null {
  const { batchSize, inHeight, inWidth, outHeight, outWidth, filterHeight, filterWidth } = info;
  const { strideHeight, strideWidth, dilationHeight, dilationWidth } = info;
  const { top, bottom, left, right } = info.padInfo;
  if (strideHeight !== 1 || strideWidth !== 1 || outHeight <= 0 || outWidth <= 0) return null;
  const spanH = (filterHeight - 1) * dilationHeight;
  const spanW = (filterWidth - 1) * dilationWidth;
  // Shared padding: reads that wrap must land in zeros (at most `top`/`left` of them), the image
  // must still fit (`bottom`/`right`), and output pixels must not wrap onto each other (span).
  const gh = outHeight + spanH - Math.min(top, bottom, spanH);
  const gw = outWidth + spanW - Math.min(left, right, spanW);
  // With stride 1 the grid always holds the whole padded image; anything else is not a case
  // this layout was written for.
  if (top + inHeight > gh || left + inWidth > gw) return null;
  const shifts: number[] = [];
  for (let fy = 0; fy < filterHeight; fy++) {
    for (let fx = 0; fx < filterWidth; fx++) shifts.push(fy * dilationHeight * gw + fx * dilationWidth);
  }
  const rows = ((batchSize - 1) * gh + outHeight - 1) * gw + outWidth;
  return { batch: batchSize, gh, gw, top, left, rows, shifts, pixels: rows + shifts[shifts.length - 1] };
}

/** True when images of h x w placed at (top, left) fill the grid: the dense tensor is its own grid. */
export const fillsGrid = (g: Grid, h: number, w: number, top: number, left: number): boolean =>
  top === 0 && left === 0 && h === g.gh && w === g.gw && g.pixels === g.batch * h * w;

/**
 * Copies dense images [batch, h, w, c] at float index `from` into the grid at `to`
 * ([batch, gh, gw, c]) with their corner at (top, left), and zeroes the rest of the grid.
 * Whole image rows are contiguous on both sides: one native copy each, and one native fill
 * for each gap between them (every grid value is written once).
 */
export function toGrid(heap: Float32Array, from: number, to: number, g: Grid, h: number, w: number, c: number, top: number, left: number): void {
  const run = w * c;
  let zeroFrom = to;
  for (let b = 0; b < g.batch; b++) {
    for (let y = 0; y < h; y++) {
      const d = to + ((b * g.gh + y + top) * g.gw + left) * c;
      if (d > zeroFrom) heap.fill(0, zeroFrom, d);
      const s = from + (b * h + y) * run;
      heap.copyWithin(d, s, s + run);
      zeroFrom = d + run;
    }
  }
  heap.fill(0, zeroFrom, to + g.pixels * c);
}

/** The inverse of toGrid: the dense [batch, h, w, c] images whose corner is at (top, left) in the grid. */
export function fromGrid(heap: Float32Array, from: number, to: number, g: Grid, h: number, w: number, c: number, top: number, left: number): void {
  const run = w * c;
  for (let b = 0; b < g.batch; b++) {
    for (let y = 0; y < h; y++) {
      const s = from + ((b * g.gh + y + top) * g.gw + left) * c;
      heap.copyWithin(to + (b * h + y) * run, s, s + run);
    }
  }
}

/**
 * Like toGrid, but channel-major: channel k of the grid is the [batch, gh, gw] plane at
 * to + k * pixels. For a single channel this is toGrid.
 */
export function toChannelGrid(heap: Float32Array, from: number, to: number, g: Grid, h: number, w: number, c: number): void {
  if (c === 1) {
    toGrid(heap, from, to, g, h, w, 1, g.top, g.left);
    return;
  }
  const plane = g.pixels;
  heap.fill(0, to, to + plane * c);
  let s = from;
  for (let b = 0; b < g.batch; b++) {
    for (let y = 0; y < h; y++) {
      const row = to + (b * g.gh + y + g.top) * g.gw + g.left;
      for (let x = 0; x < w; x++) {
        for (let k = 0, d = row + x; k < c; k++, d += plane) heap[d] = heap[s++];
      }
    }
  }
}
