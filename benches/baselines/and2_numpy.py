#!/usr/bin/env python3
"""NumPy/SciPy baseline: exact verification of an AS-2AND network, as a researcher would write it.

`cargo xtask bench-compare` builds the network in Rust, writes it with the samples to a bundle
directory, runs this script on it and checks that the failure count printed here equals the
Rust count on the same samples (it fails loudly if not). Usage:

    python3 benches/baselines/and2_numpy.py BUNDLE_DIR [--batch B]

Bundle format ("superposition-and2-bundle/1")
---------------------------------------------
``header.json``::

    {"format": "superposition-and2-bundle/1",
     "inputs": m, "outputs": m', "input_width": n_in, "hidden_width": n,
     "t_in": .., "t_out": .., "tau": .., "decoder": "vote" | "average", "centering": true,
     "vote_threshold": ceil(tau*t_out) (at least 1),
     "average_threshold": ceil(tau*t_out*2*n_in*t_in),
     "k": k, "samples": S,
     "arrays": {NAME: {"file": "NAME.bin", "dtype": "<u4", "shape": [..]}, ...}}

Every array is raw little-endian, C order, read with
``np.fromfile(dir / file, dtype=np.dtype(dtype)).reshape(shape)``:

================  ====================  =================================================
name              dtype, shape          meaning
================  ====================  =================================================
pairs             <u4 [m', 2]           output j is x[pairs[j, 0]] AND x[pairs[j, 1]]
input_code        <u4 [m, t_in]         C_in(i): the input neurons of input i, sorted
output_code       <u4 [m', t_out]       C_out(j): the hidden neurons of output j, sorted
weights           <u1 or <u2 [n_in, n]  A transposed: weights[q, r] = A[r, q]
                                        = |{i in S_r : q in C_in(i)}|
union_size        <i4 [n]               |S_r|, inputs feeding hidden neuron r
sample_offsets    <u8 [S + 1]           sample s is sample_active[offsets[s]:offsets[s+1]]
sample_active     <u4 [total]           the active inputs of every sample, concatenated
================  ====================  =================================================

The network (SPEC section 3): u = sum over active i of 1_{C_in(i)}, s = sum(u);
W = A/t_in - (|S_r|/n_in)*1^T (centering), h = ReLU(W u - 1); output j is on iff
#{r in C_out(j) : h_r >= 1/2} >= vote_threshold (vote), or
sum_{r in C_out(j)} h_r * 2*n_in*t_in >= average_threshold (average).
A sample fails if any output differs from the true AND.

The evaluation stays in integers, with acc = A u:
h_r >= 1/2  <=>  2*n_in*acc_r - 2*t_in*|S_r|*s >= 3*n_in*t_in. Floats would decide exact ties
(h_r exactly 1/2 happens with these integer weights) by rounding, and the failure count could
then differ from the exact Rust one.

Output: one JSON line on stdout,
``{"failures": .., "samples": .., "seconds": .., "setup_seconds": .., "batch": .., "numpy": .., "scipy": ..}``
where ``seconds`` covers the verification loop only (not reading files or preparing matrices).
"""

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import scipy
import scipy.sparse as sp

FORMAT = "superposition-and2-bundle/1"


def load(bundle: Path):
    header = json.loads((bundle / "header.json").read_text())
    if header.get("format") != FORMAT:
        sys.exit(f"{bundle}/header.json: format {header.get('format')!r}, expected {FORMAT!r}")
    arrays = {}
    for name, spec in header["arrays"].items():
        data = np.fromfile(bundle / spec["file"], dtype=np.dtype(spec["dtype"]))
        expected = int(np.prod(spec["shape"]))
        if data.size != expected:
            sys.exit(f"{bundle / spec['file']}: {data.size} entries, header says shape {spec['shape']}")
        arrays[name] = data.reshape(spec["shape"])
    return header, arrays


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bundle", type=Path, help="directory written by `cargo xtask bench-compare`")
    parser.add_argument("--batch", type=int, default=0, help="samples per batch (default: by m')")
    args = parser.parse_args()

    setup_start = time.perf_counter()
    h, a = load(args.bundle)
    m, outputs = h["inputs"], h["outputs"]
    n_in, n, t_in, t_out = h["input_width"], h["hidden_width"], h["t_in"], h["t_out"]
    pairs, input_code, output_code = a["pairs"], a["input_code"], a["output_code"]
    offsets, active = a["sample_offsets"].astype(np.int64), a["sample_active"].astype(np.int64)
    samples = len(offsets) - 1
    batch = args.batch or int(np.clip(2**25 // outputs, 1, 256))

    # Dense integer weights, transposed (n_in x n) so that U @ At gives acc = A u per sample.
    at = a["weights"].astype(np.int32)
    union = a["union_size"].astype(np.int64)
    # Output code as a sparse m' x n 0/1 matrix: votes = D @ fired.
    vote_dtype = np.uint8 if t_out < 256 else np.int32
    decoder = sp.csr_matrix(
        (np.ones(outputs * t_out, dtype=vote_dtype), output_code.ravel(), np.arange(0, outputs * t_out + 1, t_out)),
        shape=(outputs, n),
    )
    centering = 1 if h["centering"] else 0
    setup_seconds = time.perf_counter() - setup_start

    start = time.perf_counter()
    failures = 0
    for first in range(0, samples, batch):
        last = min(samples, first + batch)
        size = last - first
        counts = np.diff(offsets[first : last + 1])
        act = active[offsets[first] : offsets[last]]
        rows = np.repeat(np.arange(size), counts)
        # U: size x n_in counts of code neurons (repeated (row, col) entries are summed).
        cols = input_code[act].ravel()
        u = sp.csr_matrix(
            (np.ones(cols.size, dtype=np.int32), (np.repeat(rows, t_in), cols)), shape=(size, n_in)
        )
        acc = np.asarray(u @ at, dtype=np.int64)  # size x n
        mass = counts * t_in  # s = sum(u) per sample
        pre = 2 * n_in * acc - centering * 2 * t_in * np.outer(mass, union)
        if h["decoder"] == "vote":
            fired = np.ascontiguousarray((pre >= 3 * n_in * t_in).T, dtype=vote_dtype)  # n x size
            on = (decoder @ fired) >= h["vote_threshold"]  # m' x size
        else:
            relu = np.maximum(pre - 2 * n_in * t_in, 0)
            on = (decoder.astype(np.int64) @ np.ascontiguousarray(relu.T)) >= h["average_threshold"]
        x = np.zeros((size, m), dtype=bool)
        x[rows, act] = True
        truth = x[:, pairs[:, 0]] & x[:, pairs[:, 1]]  # size x m'
        failures += int(np.count_nonzero((on.T != truth).any(axis=1)))
    seconds = time.perf_counter() - start

    print(
        json.dumps(
            {
                "failures": failures,
                "samples": samples,
                "seconds": seconds,
                "setup_seconds": setup_seconds,
                "batch": batch,
                "numpy": np.__version__,
                "scipy": scipy.__version__,
            }
        )
    )


if __name__ == "__main__":
    main()
