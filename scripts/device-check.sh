#!/usr/bin/env bash
# The WebGPU device check (< 5 minutes): the GPU and its Vulkan ICD, the adapter Dawn finds and
# what auto chooses, the webgpu gradient checks (every model vs cpu, and the stacked pivots of
# MLP, CNN and ResNet in one dispatch vs cpu point by point), and the GPU bench rows (ResNet-20 and
# CNN pivot gradients/s, stacked, against the CPU native path). Needs dist/ and .device/ (scripts/device-pack.sh)
# carried next to the working tree, and Node 20+. Output goes to stdout (and $OUT/device-check.txt
# when $OUT is set).
set -uo pipefail
cd "$(dirname "$0")/.."
log=${OUT:-/tmp}/device-check.txt
exec > >(tee "$log") 2>&1
export NODE_PATH="$PWD/.device/node_modules"
start=$(date +%s)
section() { echo; echo "== $1 ($(( $(date +%s) - start )) s) =="; }

section "machine"
date -u; uname -srm; echo "node $(node --version 2>/dev/null || echo 'MISSING: install Node 20')"
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || echo "nvidia-smi: not found"
for d in /usr/share/vulkan/icd.d /etc/vulkan/icd.d; do [ -d "$d" ] && echo "Vulkan ICDs in $d: $(ls "$d" | tr '\n' ' ')"; done
ldconfig -p 2>/dev/null | grep -E 'libvulkan.so.1|libGLX_nvidia|libEGL_nvidia' | sed 's/^\s*/  /' || true
command -v vulkaninfo >/dev/null && timeout 20 vulkaninfo --summary 2>/dev/null | grep -E 'deviceName|driverName|apiVersion|deviceType' || echo "vulkaninfo: not installed (Debian: vulkan-tools)"

section "adapter (auto, then forced webgpu)"
timeout 60 node dist/bench/webgpu.js --adapter 2>&1 | grep -v '^Warning\|^ - While\|^    at '

section "webgpu gradient checks (every model vs cpu, pad and AddN fixes, kernel errors, stacked pivots, energy, AutoNEB)"
timeout 150 node --test --test-reporter=spec dist/test/engine/tfjs/webgpu/selection.test.js \
  dist/test/engine/tfjs/webgpu/gradients.test.js dist/test/engine/tfjs/webgpu/stacked.test.js \
  dist/test/engine/tfjs/webgpu/energy.test.js dist/test/engine/tfjs/webgpu/train.test.js 2>&1 \
  | grep -E '^[✔✖ℹ#]|Error|skipped|rel|webgpu \(' | head -60

section "GPU bench rows (16 pivots stacked; webgpu vs the CPU native path, same command)"
BENCH_SECONDS=${BENCH_SECONDS:-3} BENCH_WARMUP=${BENCH_WARMUP:-2} timeout 170 node dist/bench/webgpu.js 2>&1 | grep -v '^Warning\|^ - While\|^    at \|^$'

section "done"
