"""Round trips between the Rust harness and the numpy helper, run by `.ci/run`.

    python3 python/test_roundtrip.py --xtask target/release/xtask --workdir DIR

1. Rust → Python: `xtask export` writes AS-2AND (and AS-PERM); Python reads it, draws samples,
   evaluates them in numpy and writes them; `xtask check --samples-file` evaluates the same
   samples: the failed rows must be the same.
2. Python → Rust: Python writes networks of its own — AS-2AND's weights as f32 with noise
   added (tied), and the same integer layer followed by an identity output layer (free) — and
   `xtask check` must fail exactly the rows numpy fails.
Exits 1 on the first mismatch, printing both sides.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import superposition_network as sn  # noqa: E402


def run(cmd: list[str], ok=(0, 1)) -> subprocess.CompletedProcess:
    print("$", " ".join(cmd), flush=True)
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode not in ok:
        print(done.stdout, done.stderr, sep="\n", file=sys.stderr)
        raise SystemExit(f"exit {done.returncode}: {' '.join(cmd)}")
    return done


def check_rows(xtask: str, network: Path, samples: Path, out: Path, k: int) -> tuple[list[int], dict]:
    """`xtask check` on the samples file; the failed rows it reports and the whole result."""
    run([xtask, "check", "--network", str(network), "--samples-file", str(samples), "--samples", "64",
         "--k", str(k), "--out", str(out)])
    result = json.loads((out / "check.json").read_text())
    return result["samples_file"]["failed"], result


def compare(label: str, numpy_fails: np.ndarray, rust_rows: list[int]) -> None:
    numpy_rows = [int(i) for i in np.nonzero(numpy_fails)[0]]
    if numpy_rows != rust_rows:
        raise SystemExit(f"{label}: numpy fails rows {numpy_rows}, check fails rows {rust_rows}")
    print(f"{label}: {len(rust_rows)} of {len(numpy_fails)} samples fail on both sides")
    if not 0 < len(rust_rows) < len(numpy_fails):
        # Neither all nor none: the comparison could have told the sides apart.
        raise SystemExit(f"{label}: {len(rust_rows)} failures of {len(numpy_fails)}, the test is vacuous")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--xtask", required=True, help="the built xtask binary")
    parser.add_argument("--workdir", required=True, type=Path)
    args = parser.parse_args()
    work: Path = args.workdir
    work.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(7)
    k = 4

    # 1. AS-2AND exported by Rust, below its n* (about 1000 at 2¹⁰) so that some planted samples fail.
    as2and = work / "as2and.safetensors"
    run([args.xtask, "export", "--construction", "as-2and", "--m-prime", "1024", "--width", "700",
         "--seed", "3", "--out", str(as2and)], ok=(0,))
    net = sn.load(str(as2and))
    samples = sn.sample(rng, net.inputs, k, 400, net.tensors["instance.pairs"])
    samples_path = work / "samples.safetensors"
    sn.save_samples(str(samples_path), samples)
    rows, result = check_rows(args.xtask, as2and, samples_path, work / "check-as2and", k)
    compare("AS-2AND (Rust export, integer)", net.failures(samples), rows)
    if not result["exact"]:
        raise SystemExit("an exported AS-2AND must be exact (integer layers)")

    # 2a. The same weights as f32 with noise, written by Python (tied).
    w, b, mass, d = net._layer("hidden")
    noisy = sn.Network(meta=dict(net.meta), tensors=dict(net.tensors))
    noisy.meta["layers"] = {}
    noisy.meta["construction"] = "as-2and + noise (python/test_roundtrip.py)"
    scale = 1.0 / d
    noisy.tensors["hidden.weight"] = (w * scale + rng.normal(0, 0.02, w.shape)).astype(np.float32)
    noisy.tensors["hidden.bias"] = (b * scale).astype(np.float32)
    if mass is not None:
        noisy.tensors["hidden.mass"] = (mass * scale).astype(np.float32)
    noisy_path = work / "as2and-noisy.safetensors"
    sn.save(noisy, str(noisy_path))
    rows, result = check_rows(args.xtask, noisy_path, samples_path, work / "check-noisy", k)
    compare("AS-2AND + noise (Python, f32 tied)", sn.load(str(noisy_path)).failures(samples), rows)
    if result["exact"]:
        raise SystemExit("an f32 network cannot be reported exact")

    # 2b. The integer layer followed by an identity output layer (free): AS-2AND's decisions.
    free = sn.Network(meta=dict(net.meta), tensors=dict(net.tensors))
    n = w.shape[0]
    free.meta["architecture"] = "free"
    free.meta["layers"] = {"hidden": {"denominator": d}, "output": {"denominator": 1}}
    free.tensors["output.weight"] = np.eye(n, dtype=np.int32)
    free.tensors["output.bias"] = np.zeros(n, dtype=np.int32)
    free_path = work / "as2and-free.safetensors"
    sn.save(free, str(free_path))
    rows, _ = check_rows(args.xtask, free_path, samples_path, work / "check-free", k)
    compare("AS-2AND as free with identity output (Python, integer)", sn.load(str(free_path)).failures(samples), rows)

    # 3. AS-PERM exported by Rust, uniform samples.
    perm = work / "as-perm.safetensors"
    run([args.xtask, "export", "--construction", "as-perm", "--m-prime", "512", "--width", "700",
         "--seed", "5", "--out", str(perm)], ok=(0,))
    pnet = sn.load(str(perm))
    uniform = sn.sample(rng, pnet.inputs, k, 400)
    uniform_path = work / "uniform.safetensors"
    sn.save_samples(str(uniform_path), uniform)
    rows, _ = check_rows(args.xtask, perm, uniform_path, work / "check-perm", k)
    compare("AS-PERM (Rust export, integer)", pnet.failures(uniform), rows)
    print("python round trips: all passed")


if __name__ == "__main__":
    main()
