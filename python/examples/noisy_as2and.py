"""Write AS-2AND's weights with Gaussian noise added, as a numpy-made f32 network file.

    cargo xtask export --construction as-2and --m-prime 4096 --width 1700 --seed 3 --out as2and.safetensors
    python3 python/examples/noisy_as2and.py --network as2and.safetensors --sigma 0.02 --out noisy.safetensors
    cargo xtask check --network noisy.safetensors

The weights become numerator/D + N(0, σ²) in f32 (biases and the centering mass exact in f32),
so the file is a network no construction built: `check` evaluates it in f64 with the format's
rounding bound and sets it beside AS-2AND's n* on the chart.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import superposition_network as sn  # noqa: E402


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--network", required=True, help="an integer tied network (cargo xtask export)")
    p.add_argument("--sigma", type=float, default=0.02)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--out", required=True)
    a = p.parse_args()
    net = sn.load(a.network)
    w, b, mass, d = net._layer("hidden")
    if d is None:
        raise SystemExit("expected integer weights (an exported construction)")
    rng = np.random.default_rng(a.seed)
    noisy = sn.Network(meta=dict(net.meta), tensors=dict(net.tensors))
    noisy.meta["layers"] = {}
    noisy.meta["construction"] = f"{net.meta.get('construction', 'network')} + N(0, {a.sigma}²) noise"
    noisy.meta["provenance"] = {"command": " ".join(sys.argv), "seed": a.seed}
    noisy.tensors["hidden.weight"] = (w / d + rng.normal(0, a.sigma, w.shape)).astype(np.float32)
    noisy.tensors["hidden.bias"] = (b / d).astype(np.float32)
    if mass is not None:
        noisy.tensors["hidden.mass"] = (mass / d).astype(np.float32)
    sn.save(noisy, a.out)
    print(f"wrote {a.out}")


if __name__ == "__main__":
    main()
