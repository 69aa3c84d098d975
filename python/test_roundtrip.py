"""Round trips between the Rust harness and the numpy helper, run by `.ci/run`.

    python3 python/test_roundtrip.py --xtask target/release/xtask --workdir DIR

1. Rust → Python: `xtask export` writes AS-2AND (and AS-PERM); Python reads it, draws samples,
   evaluates them in numpy and writes them; `xtask check --samples-file` evaluates the same
   samples: the failed rows must be the same.
2. Python → Rust: Python writes networks of its own — AS-2AND's weights as f32 with noise
   added (tied), and the same integer layer followed by an identity output layer (free) — and
   `xtask check` must fail exactly the rows numpy fails.
3. Depth-2: `xtask export --construction depth-2` (an AND/OR circuit), evaluated by numpy on
   the circuit's planted samples and by `check --samples-file`; then the same two layers as f32
   with noise added, written by Python: the failed rows must agree both times.
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


def check_written(xtask: str, net: sn.Network, path: Path, samples: np.ndarray, samples_path: Path, out: Path,
                  label: str, k: int) -> dict:
    """Writes `net` to `path` and compares the rows numpy fails (reading the file back) with the
    rows `check` fails on the same samples; returns check's result."""
    sn.save(net, str(path))
    rows, result = check_rows(xtask, path, samples_path, out, k)
    compare(label, sn.load(str(path)).failures(samples), rows)
    return result


def with_noise(net: sn.Network, rng: np.random.Generator, noise: dict, construction: str) -> sn.Network:
    """`net` with its integer layers (named in `noise`) as f32 values, Gaussian noise of the given
    standard deviation added to each layer's weights."""
    out = sn.Network(meta=dict(net.meta), tensors=dict(net.tensors))
    out.meta["layers"] = {}
    out.meta["construction"] = construction
    for name, sigma in noise.items():
        w, b, mass, d = net._layer(name)
        out.tensors[f"{name}.weight"] = (w / d + rng.normal(0, sigma, w.shape)).astype(np.float32)
        out.tensors[f"{name}.bias"] = (b / d).astype(np.float32)
        if mass is not None:
            out.tensors[f"{name}.mass"] = (mass / d).astype(np.float32)
    return out


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
    noisy = with_noise(net, rng, {"hidden": 0.02}, "as-2and + noise (python/test_roundtrip.py)")
    result = check_written(args.xtask, noisy, work / "as2and-noisy.safetensors", samples, samples_path,
                           work / "check-noisy", "AS-2AND + noise (Python, f32 tied)", k)
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

    # 4. Depth-2 exported by Rust: an AND/OR circuit, both layers below n*, planted circuit samples.
    depth2 = work / "depth2.safetensors"
    run([args.xtask, "export", "--construction", "depth-2", "--m-prime", "1024", "--width", "900",
         "--layer2-width", "900", "--circuit", "and-or", "--seed", "4", "--out", str(depth2)], ok=(0,))
    dnet = sn.load(str(depth2))
    if dnet.architecture != "depth2" or dnet.meta["instance"]["kind"] != "circuit":
        raise SystemExit("the depth-2 export must be a depth2 network with its circuit")
    circuit = sn.sample_circuit(rng, dnet.inputs, k, 400, dnet.tensors["instance.pairs"],
                                dnet.tensors["instance.gates"])
    circuit_path = work / "circuit.safetensors"
    sn.save_samples(str(circuit_path), circuit)
    rows, result = check_rows(args.xtask, depth2, circuit_path, work / "check-depth2", k)
    compare("Depth-2 (Rust export, integer)", dnet.failures(circuit), rows)
    if not result["exact"] or result["architecture"] != "depth2":
        raise SystemExit("an exported depth-2 network must be checked exactly as depth2")

    # 5. The same two layers as f32 with noise, written by Python.
    # Noise on both layers: no decision left on a tie (numpy flags a sample for any decision
    # within its bound, Rust only where it could flip an output).
    noisy2 = with_noise(dnet, rng, {"hidden": 0.02, "layer2": 0.01}, "depth-2 + noise (python/test_roundtrip.py)")
    result = check_written(args.xtask, noisy2, work / "depth2-noisy.safetensors", circuit, circuit_path,
                           work / "check-depth2-noisy", "Depth-2 + noise (Python, f32 depth2)", k)
    if result["exact"]:
        raise SystemExit("an f32 network cannot be reported exact")
    print("python round trips: all passed")


if __name__ == "__main__":
    main()
