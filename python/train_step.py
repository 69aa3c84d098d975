"""One tied training step in NumPy: the baseline for `benches/benches/train.rs` (issue 12 item 5).

The step is the one `superposition_core::train` takes for the tied architecture, written the
way a researcher would write it in NumPy: the batch's input-neuron counts u as a dense
n_in × B matrix, z = W·u + c·Σ_q u_q + b (a dense GEMM), the margin hinge (γ = 0.25) on
z − ½ against the code neurons' targets, the gradient ∂L/∂W = δ·uᵀ (a second GEMM), and
AdamW (β = 0.9, 0.999, ε = 1e-8, no decay) on W, c and b, all float32.

Codes and batches are random with the trainer's statistics (t_in = t_out = ⌈log₂ m′⌉ subsets
of n neurons, k = 4 active inputs, even samples planted with ⌊k/2⌋ pairs, odd ones uniform);
the timing depends only on the shapes and the sparsity. The batch is built outside the timed
loop (the Rust bench's step also draws its batch, so the comparison favours NumPy slightly).

    python3 python/train_step.py --m-prime 4096 --width 1735 --batch 256 --steps 20 [--json]

prints samples per second (the median over the timed steps), or one JSON object with --json.
"""

import argparse
import json
import math
import time

import numpy as np


def codes(rng, features, width, t):
    """A random t-subset of range(width) per feature (rows of an int array)."""
    return np.stack([rng.choice(width, size=t, replace=False) for _ in range(features)])


def batch(rng, pairs, c_in, c_out, width, m, k, size):
    """(U, mass, Y): dense input-neuron counts (n_in × B), Σ_q u_q per sample, targets (n × B)."""
    u = np.zeros((width, size), dtype=np.float32)
    y = np.zeros((width, size), dtype=np.float32)
    index = {tuple(sorted(p)): j for j, p in enumerate(pairs)}
    for s in range(size):
        active = set()
        if s % 2 == 0:
            for j in rng.choice(len(pairs), size=k // 2, replace=False):
                active.update(pairs[j])
        while len(active) < k:
            active.add(int(rng.integers(m)))
        active = sorted(active)
        for i in active:
            np.add.at(u[:, s], c_in[i], 1.0)
        for a in range(len(active)):
            for b in range(a + 1, len(active)):
                j = index.get((active[a], active[b]))
                if j is not None:
                    y[c_out[j], s] = 1.0
    mass = u.sum(axis=0)
    return u, mass, y


def step(params, moments, t, u, mass, y, lr=1e-2, margin=0.25, beta1=0.9, beta2=0.999, eps=1e-8):
    """Forward, hinge loss, backward and one AdamW step, in place; returns the batch loss."""
    w, c, b = params
    size = u.shape[1]
    z = w @ u + np.outer(c, mass) + b[:, None]
    gap = np.where(y > 0, 0.5 + margin - z, z - 0.5 + margin)
    on = gap > 0
    loss = float(gap[on].sum()) / size
    delta = np.where(on, np.where(y > 0, -1.0, 1.0), 0.0).astype(np.float32) / size
    grads = (delta @ u.T, delta @ mass, delta.sum(axis=1))
    c1 = 1.0 - beta1**t
    c2 = math.sqrt(1.0 - beta2**t)
    for p, g, (m, v) in zip(params, grads, moments):
        m *= beta1
        m += (1.0 - beta1) * g
        v *= beta2
        v += (1.0 - beta2) * g * g
        p -= lr * (m / c1) / (np.sqrt(v) / c2 + eps)
    return loss


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--m-prime", type=int, required=True)
    parser.add_argument("--width", type=int, required=True)
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--k", type=int, default=4)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true")
    a = parser.parse_args()
    rng = np.random.default_rng(a.seed)
    m = a.m_prime
    t = max(1, math.ceil(math.log2(max(m, 2))))
    pairs = set()
    while len(pairs) < m:
        i, j = rng.choice(m, size=2, replace=False)
        pairs.add((int(min(i, j)), int(max(i, j))))
    pairs = sorted(pairs)
    c_in = codes(rng, m, a.width, t)
    c_out = codes(rng, m, a.width, t)
    u, mass, y = batch(rng, pairs, c_in, c_out, a.width, m, a.k, a.batch)
    fan = math.sqrt(a.k * t)
    params = [
        (rng.standard_normal((a.width, u.shape[0])) * 0.1 / fan).astype(np.float32),
        np.zeros(a.width, dtype=np.float32),
        np.zeros(a.width, dtype=np.float32),
    ]
    moments = [(np.zeros_like(p), np.zeros_like(p)) for p in params]
    step(params, moments, 1, u, mass, y)  # warm-up
    times = []
    for s in range(a.steps):
        start = time.perf_counter()
        step(params, moments, s + 2, u, mass, y)
        times.append(time.perf_counter() - start)
    median = sorted(times)[len(times) // 2]
    result = {
        "m_prime": m,
        "width": a.width,
        "batch": a.batch,
        "steps": a.steps,
        "seconds_per_step": median,
        "samples_per_second": a.batch / median,
        "numpy": np.__version__,
    }
    if a.json:
        print(json.dumps(result))
    else:
        print(f"numpy tied step, m' = {m}, width {a.width}, batch {a.batch}: "
              f"{median * 1e3:.1f} ms/step, {a.batch / median:.0f} samples/s")


if __name__ == "__main__":
    main()
