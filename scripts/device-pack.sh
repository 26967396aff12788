#!/usr/bin/env bash
# Builds, then fills .device/node_modules with only the files the WebGPU device check loads
# (traced here: require cache of the webgpu bench and tests), the package.json of each package,
# and the wasm binaries. Carry ['dist', '.device'] to the device machine (about 35 MB in all,
# under the 64 MiB limit), then run scripts/device-check.sh there.
set -euo pipefail
cd "$(dirname "$0")/.."
npx tsc -p . >/dev/null || true   # emits even when unrelated files have type errors
trace=$(mktemp)
export TRACE_REQUIRES_OUT="$trace"
BENCH_SECONDS=0.2 BENCH_WARMUP=0.1 node -r ./scripts/trace-requires.cjs dist/bench/webgpu.js --adapter >/dev/null 2>&1 || true
BENCH_SECONDS=0.2 BENCH_WARMUP=0.1 node -r ./scripts/trace-requires.cjs dist/bench/webgpu.js >/dev/null 2>&1 || true
NODE_OPTIONS="-r $PWD/scripts/trace-requires.cjs" node --test dist/test/engine/tfjs/webgpu/gradients.test.js dist/test/engine/tfjs/webgpu/stacked.test.js >/dev/null 2>&1 || true
rm -rf .device && mkdir -p .device/node_modules
modules=$(readlink -f node_modules)
copy() { mkdir -p ".device/node_modules/$(dirname "$1")" && cp "$modules/$1" ".device/node_modules/$1"; }
sort -u "$trace" | grep '/node_modules/' | sed 's|.*/node_modules/||' | while read -r f; do copy "$f"; done
# package.json of every package carried (require.resolve('<pkg>/package.json') finds binaries by it)
find .device/node_modules -mindepth 1 -maxdepth 2 -type d | while read -r d; do
  rel=${d#.device/node_modules/}
  if [ -f "$modules/$rel/package.json" ]; then cp "$modules/$rel/package.json" "$d/package.json"; fi
done
for w in tfjs-backend-wasm.wasm tfjs-backend-wasm-simd.wasm; do copy "@tensorflow/tfjs-backend-wasm/dist/$w"; done
rm -f "$trace"
du -sh .device dist
