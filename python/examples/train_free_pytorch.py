"""Train the `free` architecture in PyTorch against the project's fixed codes, then check it.

Not run in CI (it needs PyTorch). The steps, from the repository root:

    cargo xtask export --construction as-2and --m-prime 1024 --width 1000 --seed 3 --out as2and.safetensors
    python3 python/examples/train_free_pytorch.py --codes as2and.safetensors --hidden 1500 --out trained.safetensors
    cargo xtask check --network trained.safetensors

The exported AS-2AND file supplies the fixed input code, output code and instance (pairs);
`cargo xtask codes` writes codes alone when you bring your own instance. The network is
`free` (docs/network-format.md §4): u = Σ_{i on} 1_{C_in(i)} (fixed), g = ReLU(W₁u + b₁)
(trained, width --hidden), h = ReLU(W₂g + b₂) (trained) on the fixed output code, decoded by
vote: output j is on iff at least v of its t_out code neurons have h ≥ ½. The loss is a hinge
on the code neurons' pre-activations against the OR of the outputs each neuron hosts (a code
neuron should fire iff some output it hosts is on), with planted k-sparse batches as the
harness samples them. The weights are written as f32; `check` evaluates them in f64 with the
format's rounding bound and counts any decision within it as a failure.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import superposition_network as sn  # noqa: E402


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--codes", required=True, help="a network or codes file holding the codes and the instance")
    p.add_argument("--hidden", type=int, default=1500)
    p.add_argument("--steps", type=int, default=3000)
    p.add_argument("--batch", type=int, default=512)
    p.add_argument("--k", type=int, default=4)
    p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--out", required=True)
    a = p.parse_args()

    src = sn.load(a.codes)
    pairs = src.tensors["instance.pairs"].astype(np.int64)
    out_code = src.code("output_code")
    n_in = int(src.meta["input_code"]["width"])
    n = int(src.meta["output_code"]["width"])
    t_out = out_code.shape[1]
    votes = int(src.meta.get("decoder", {}).get("votes", (t_out + 1) // 2))
    # hosts[r, j] = 1 iff output j is decoded from neuron r.
    hosts = np.zeros((n, src.outputs), dtype=np.float32)
    hosts[out_code.reshape(-1), np.repeat(np.arange(src.outputs), t_out)] = 1.0

    torch.manual_seed(a.seed)
    rng = np.random.default_rng(a.seed)
    w1 = torch.nn.Linear(n_in, a.hidden)
    w2 = torch.nn.Linear(a.hidden, n)
    opt = torch.optim.AdamW([*w1.parameters(), *w2.parameters()], lr=a.lr, weight_decay=1e-4)
    hosts_t = torch.from_numpy(hosts)
    for step in range(a.steps):
        active = sn.sample(rng, src.inputs, a.k, a.batch, pairs)
        u = torch.from_numpy(src.representation(active).astype(np.float32))
        y = torch.from_numpy(src.truth(active).astype(np.float32))
        target = (y @ hosts_t.T > 0).float()  # a code neuron fires iff an output it hosts is on
        z = w2(torch.relu(w1(u)))
        # Hinge at margin ¼ around the threshold ½: fire ⟹ z ≥ ¾, silent ⟹ z ≤ ¼.
        loss = (target * torch.relu(0.75 - z) + (1 - target) * torch.relu(z - 0.25)).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 200 == 0:
            print(f"step {step}: loss {loss.item():.4f}", flush=True)

    net = sn.Network(
        meta={
            "architecture": "free",
            "inputs": src.inputs,
            "outputs": src.outputs,
            "k": a.k,
            "input_code": {"width": n_in, "t": int(src.meta["input_code"]["t"])},
            "output_code": {"width": n, "t": t_out},
            "layers": {},
            "decoder": {"kind": "vote", "tau": votes / t_out, "votes": votes},
            "instance": {"kind": "pairs"},
            "construction": "trained (python/examples/train_free_pytorch.py)",
            "provenance": {"command": " ".join(sys.argv), "seed": a.seed},
        },
        tensors={
            "input_code": src.tensors["input_code"],
            "output_code": src.tensors["output_code"],
            "instance.pairs": src.tensors["instance.pairs"],
            "hidden.weight": w1.weight.detach().numpy().astype(np.float32),
            "hidden.bias": w1.bias.detach().numpy().astype(np.float32),
            "output.weight": w2.weight.detach().numpy().astype(np.float32),
            "output.bias": w2.bias.detach().numpy().astype(np.float32),
        },
    )
    sn.save(net, a.out)
    print(f"wrote {a.out}: check it with `cargo xtask check --network {a.out}`")


if __name__ == "__main__":
    main()
