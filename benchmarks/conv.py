"""Time conv2d forward+backward: dlcalc, a naive loop, and PyTorch CPU if installed.

Run as ``python benchmarks/conv.py``. The problem is the one of issue 3:
N=8, C=16, 32x32 input, F=32 filters of 3x3, stride 1, padding 1.
Each line gives the median over repeated runs of one forward and one
backward pass. dlcalc keeps float32 input in float32 and computes everything
else in float64, so dlcalc and torch are each timed in float64 and in float32
(torch's default) and compared like for like. The implementations take turns
in every round, so a busy machine slows them alike, but their ratio still
moves with the load. Set OMP_NUM_THREADS/OPENBLAS_NUM_THREADS=1 (and
torch.set_num_threads(1) follows the former) to time a single thread.
"""

from __future__ import annotations

import os
import statistics
import time

import numpy as np

from dlcalc.layers import conv2d_backward, conv2d_forward

N, C, H, W, F, K, PADDING = 8, 16, 32, 32, 32, 3, 1


def conv2d_forward_naive(x, w, b, padding):
    """Reference convolution with a Python loop over the output pixels (stride 1)."""
    n, _, h, wd = x.shape
    f, _, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    oh, ow = h + 2 * padding - kh + 1, wd + 2 * padding - kw + 1
    out = np.empty((n, f, oh, ow))
    for i in range(n):
        for r in range(oh):
            for s in range(ow):
                window = xp[i, :, r:r + kh, s:s + kw]
                out[i, :, r, s] = np.tensordot(w, window, axes=3) + b
    return out, (xp, w, padding)


def conv2d_backward_naive(dout, cache):
    """Gradients of :func:`conv2d_forward_naive`, the same loop run backwards."""
    xp, w, padding = cache
    _, _, kh, kw = w.shape
    dxp, dw = np.zeros_like(xp), np.zeros_like(w)
    n, _, oh, ow = dout.shape
    for i in range(n):
        for r in range(oh):
            for s in range(ow):
                g = dout[i, :, r, s]                                  # (F,)
                dw += g[:, None, None, None] * xp[i, :, r:r + kh, s:s + kw]
                dxp[i, :, r:r + kh, s:s + kw] += np.tensordot(g, w, axes=1)
    h, wd = xp.shape[2] - 2 * padding, xp.shape[3] - 2 * padding
    return dxp[:, :, padding:padding + h, padding:padding + wd], dw, dout.sum(axis=(0, 2, 3))


def _median_times(steps, repeats, slow, slow_repeats):
    """Median seconds of each step. The steps take turns in every round, so that they
    share whatever else the machine is doing; the ``slow`` one runs in the first
    ``slow_repeats`` rounds only."""
    times = {name: [] for name in steps}
    for step in steps.values():
        step()  # warm-up: allocations, BLAS threads, torch kernels
    for round_ in range(repeats):
        for name, step in steps.items():
            if name == slow and round_ >= slow_repeats:
                continue
            start = time.perf_counter()
            step()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(t) for name, t in times.items()}


def _torch_step(torch, x, w, b, dout, dtype):
    tx, tw, tb = (torch.tensor(a, dtype=dtype, requires_grad=True) for a in (x, w, b))
    tdout = torch.tensor(dout, dtype=dtype)

    def step():
        tx.grad = tw.grad = tb.grad = None
        out = torch.nn.functional.conv2d(tx, tw, tb, padding=PADDING)
        out.backward(tdout)
    return step


def main(repeats=20, naive_repeats=3):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(N, C, H, W))
    w = rng.normal(size=(F, C, K, K))
    b = rng.normal(size=F)
    dout = rng.normal(size=(N, F, H, W))
    single = [a.astype(np.float32) for a in (x, w, b, dout)]

    def dlcalc_step():
        out, cache = conv2d_forward(x, w, b, padding=PADDING)
        return out, conv2d_backward(dout, cache)

    def dlcalc_step32(x=single[0], w=single[1], b=single[2], dout=single[3]):
        out, cache = conv2d_forward(x, w, b, padding=PADDING)
        return out, conv2d_backward(dout, cache)

    def naive_step():
        out, cache = conv2d_forward_naive(x, w, b, PADDING)
        return out, conv2d_backward_naive(dout, cache)

    # the two implementations must agree before their times mean anything
    (out, grads), (out_naive, grads_naive) = dlcalc_step(), naive_step()
    for mine, ref in zip((out, *grads), (out_naive, *grads_naive)):
        np.testing.assert_allclose(mine, ref, rtol=1e-9, atol=1e-9)

    out32, grads32 = dlcalc_step32()
    assert all(a.dtype == np.float32 for a in (out32, *grads32))
    for mine, ref in zip((out32, *grads32), (out, *grads)):
        np.testing.assert_allclose(mine, ref, rtol=1e-3, atol=1e-3)

    steps = {"dlcalc[float64]": dlcalc_step, "dlcalc[float32]": dlcalc_step32, "naive": naive_step}
    labels = {"dlcalc[float64]": "dlcalc (numpy, float64)",
              "dlcalc[float32]": "dlcalc (numpy, float32)", "naive": "naive loop (float64)"}
    try:
        import torch
    except ImportError:
        torch = None
    if torch is not None:
        for dtype in ("float64", "float32"):
            steps[f"torch[{dtype}]"] = _torch_step(torch, x, w, b, dout, getattr(torch, dtype))
            labels[f"torch[{dtype}]"] = f"torch {torch.__version__} CPU ({dtype})"
    load = os.getloadavg()[0]
    median = _median_times(steps, repeats, "naive", naive_repeats)

    print(f"conv2d forward+backward, N={N} C={C} {H}x{W} F={F} {K}x{K} padding={PADDING}: "
          f"median of {repeats} interleaved runs (naive loop: {naive_repeats})")
    threads = f", torch threads {torch.get_num_threads()}" if torch is not None else ""
    print(f"  ({os.cpu_count()} CPUs{threads}, OMP_NUM_THREADS="
          f"{os.environ.get('OMP_NUM_THREADS', 'unset')}, load average {load:.1f} before the run)")
    for name, seconds in median.items():
        print(f"  {labels[name]:<32} {seconds * 1e3:9.2f} ms")
    ratios = [f"dlcalc/torch {t} = {median[f'dlcalc[{t}]'] / median[f'torch[{t}]']:.2f}"
              for t in ("float64", "float32") if f"torch[{t}]" in median]
    ratios.append(f"naive/dlcalc float64 = {median['naive'] / median['dlcalc[float64]']:.1f}")
    print("  " + ", ".join(ratios))


if __name__ == "__main__":
    main()
