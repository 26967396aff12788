"""PyTorch peer for `npm run bench`: pivot gradients/s on the same workloads as bench/models.ts.

Usage: python3 torch_pivot_grads.py <net> <pivots> <seconds> <threads> [sizes...]
  net: mlp (with layer sizes as extra args, e.g. 784 100 10) or cnn.
Prints one JSON line: {"loop": [wall, cpu], "batched": [wall, cpu] | null, "threads": n, "torch": version},
rates in pivot gradients per wall second and per CPU second (all threads of this process).
One shared batch per step (as in a NEB step); the gradient of each pivot's mean cross-entropy
w.r.t. its own flat parameter vector, read back to host memory like the tfjs bench does.
"""
import json
import os
import sys
import time

import torch
import torch.nn.functional as F

torch.manual_seed(0)


def mlp_loss(sizes, x, y, theta):
    """theta: [D] or [P, D]; returns the sum over pivots of each pivot's mean cross-entropy."""
    lead = theta.shape[:-1]
    at, h = 0, x
    for i in range(len(sizes) - 1):
        n_w, n_b = sizes[i] * sizes[i + 1], sizes[i + 1]
        w = theta[..., at:at + n_w].reshape(*lead, sizes[i], sizes[i + 1]); at += n_w
        b = theta[..., at:at + n_b].reshape(*lead, 1, sizes[i + 1]) if lead else theta[at:at + n_b]; at += n_b
        h = torch.matmul(h, w) + b
        if i + 2 < len(sizes):
            h = torch.relu(h)
    if lead:
        p = lead[0]
        return F.cross_entropy(h.reshape(p * x.shape[0], -1), y.repeat(p), reduction='sum') / x.shape[0]
    return F.cross_entropy(h, y)


def cnn_loss(x, y, theta):
    """conv16-3x3 same, relu, maxpool2, conv32-3x3 same, relu, maxpool2, fc10 (NCHW here)."""
    c = x.shape[1]
    shapes = [(16, c, 3, 3), (16,), (32, 16, 3, 3), (32,), (32 * 7 * 7, 10), (10,)]
    parts, at = [], 0
    for s in shapes:
        n = 1
        for d in s:
            n *= d
        parts.append(theta[at:at + n].reshape(s)); at += n
    w1, b1, w2, b2, w3, b3 = parts
    h = F.max_pool2d(torch.relu(F.conv2d(x, w1, b1, padding=1)), 2)
    h = F.max_pool2d(torch.relu(F.conv2d(h, w2, b2, padding=1)), 2)
    return F.cross_entropy(h.reshape(x.shape[0], -1) @ w3 + b3, y)


def rate(pivots, seconds, step):
    warm = time.perf_counter()  # warm-up as long as the engine's (BENCH_WARMUP seconds), one step at least
    step()
    while time.perf_counter() - warm < float(os.environ.get('BENCH_WARMUP', '0')):
        step()
    n, t0, c0 = 0, time.perf_counter(), time.process_time()
    while time.perf_counter() - t0 < seconds or n < 2:
        step(); n += 1
    return [n * pivots / (time.perf_counter() - t0), n * pivots / max(time.process_time() - c0, 1e-9)]


def main():
    net, pivots, seconds, threads = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
    torch.set_num_threads(threads)
    if net == 'mlp':
        sizes = [int(s) for s in sys.argv[5:]]
        batch = 256
        x = torch.randn(batch, sizes[0])
        dim = sum(sizes[i] * sizes[i + 1] + sizes[i + 1] for i in range(len(sizes) - 1))
        loss = lambda t: mlp_loss(sizes, x, y, t)
        batched_ok = True
    else:
        batch = 128
        x = torch.randn(batch, 1, 28, 28)
        dim = 16 * 9 + 16 + 32 * 16 * 9 + 32 + 32 * 49 * 10 + 10
        loss = lambda t: cnn_loss(x, y, t)
        batched_ok = False
    y = torch.randint(0, 10, (batch,))
    thetas = [(0.05 * torch.randn(dim)).requires_grad_() for _ in range(pivots)]

    def loop():
        for t in thetas:
            g, = torch.autograd.grad(loss(t), t)
            g.numpy().copy()  # read back into a fresh host array, as the tfjs bench does

    stacked = (0.05 * torch.randn(pivots, dim)).requires_grad_()

    def batched():
        g, = torch.autograd.grad(loss(stacked), stacked)
        g.numpy().copy()

    out = {'loop': rate(pivots, seconds, loop), 'batched': rate(pivots, seconds, batched) if batched_ok else None,
           'threads': torch.get_num_threads(), 'torch': torch.__version__}
    print(json.dumps(out))


if __name__ == '__main__':
    main()
