/**
 * A minimal WebAssembly binary encoder, for small SIMD kernels that run on the tfjs wasm
 * backend's own memory (imported, so they read and write tensors in place).
 *
 * Why: some kernels are branchy scalar loops that JS runs badly. MaxPoolGrad's "which of the 4
 * values is the first maximum" mispredicts on real data (~16 ns per window in JS, measured on
 * [128, 28, 28, 16] after ReLU), while 4 channels at a time with compare masks has no branch
 * on the data at all. No toolchain is needed at build or run time: the few instructions used
 * are encoded below by name (opcodes from the WebAssembly core and SIMD specifications), and
 * the module is validated by the engine when instantiated.
 */

/** Unsigned LEB128. */
export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

/** Signed LEB128. */
export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    const done = (n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

export type Code = number[];

const vec = (items: Code[]): Code => [...uleb(items.length), ...items.flat()];
const name = (s: string): Code => vec([...s].map((ch) => [ch.charCodeAt(0)]));
const section = (id: number, body: Code): Code => [id, ...uleb(body.length), ...body];

export const I32 = 0x7f;
export const V128 = 0x7b;

/** Instructions, as byte sequences; operands are the code that pushes them. */
export const op = {
  get: (i: number): Code => [0x20, ...uleb(i)],
  set: (i: number, value: Code): Code => [...value, 0x21, ...uleb(i)],
  tee: (i: number, value: Code): Code => [...value, 0x22, ...uleb(i)],
  i32Add: (a: Code, b: Code): Code => [...a, ...b, 0x6a],
  i32Sub: (a: Code, b: Code): Code => [...a, ...b, 0x6b],
  i32LtU: (a: Code, b: Code): Code => [...a, ...b, 0x49],
  i32Const: (v: number): Code => [0x41, ...sleb(v)],
  f32Const: (v: number): Code => [0x43, ...new Uint8Array(new Float32Array([v]).buffer)],
  /** A loop whose body ends by branching back while `again` is non-zero (a do-while). */
  doWhile: (body: Code[], again: Code): Code => [0x03, 0x40, ...body.flat(), ...again, 0x0d, 0x00, 0x0b],
  // SIMD (prefix 0xfd); loads and stores assume 4-byte alignment (memarg align 2, offset 0).
  v128Load: (address: Code): Code => [...address, 0xfd, 0x00, 2, 0],
  v128Store: (address: Code, value: Code): Code => [...address, ...value, 0xfd, 0x0b, 2, 0],
  f32x4Splat: (v: Code): Code => [...v, 0xfd, 0x13],
  f32x4Gt: (a: Code, b: Code): Code => [...a, ...b, 0xfd, 0x44],
  v128And: (a: Code, b: Code): Code => [...a, ...b, 0xfd, 0x4e],
  /** a & ~b */
  v128AndNot: (a: Code, b: Code): Code => [...a, ...b, 0xfd, 0x4f],
  v128Or: (a: Code, b: Code): Code => [...a, ...b, 0xfd, 0x50],
  /** Bits of a where mask is set, else of b. */
  v128Bitselect: (a: Code, b: Code, mask: Code): Code => [...a, ...b, ...mask, 0xfd, 0x52],
};

export interface FunctionSpec {
  readonly name: string;
  readonly params: number[];
  readonly locals: number[];
  readonly body: Code[];
}

/** A module importing memory `env.memory` and exporting the given void functions. */
export function encodeModule(functions: readonly FunctionSpec[]): Uint8Array {
  const types = functions.map((f) => [0x60, ...vec(f.params.map((t) => [t])), 0x00]);
  const memoryImport = [...name('env'), ...name('memory'), 0x02, 0x00, 0x00]; // memory, limits: min 0, no max
  const bodies = functions.map((f) => {
    const locals = vec(f.locals.map((t) => [1, t]));
    const code = [...locals, ...f.body.flat(), 0x0b];
    return [...uleb(code.length), ...code];
  });
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(types)),
    ...section(2, vec([memoryImport])),
    ...section(3, vec(functions.map((_, i) => uleb(i)))),
    ...section(7, vec(functions.map((f, i) => [...name(f.name), 0x00, ...uleb(i)]))),
    ...section(10, vec(bodies)),
  ]);
}
