#!/usr/bin/env python3
"""Reference values for @patchwise/tensor elementwise ops, computed by PyTorch in float32 on CPU.

Writes packages/tensor/test/data/elementwise/unary.json: for each op, inputs and torch's float32 outputs (as the
exact decimal of each float32, so JS Math.fround(value) recovers the bits). Run from the repo root:
    /usr/bin/python3 tools/torch-refs/elementwise.py
"""
import json
import os

import torch

OUT = os.path.join("packages", "tensor", "test", "data", "elementwise", "unary.json")


def f32list(t):
    return [float(v) for v in t.to(torch.float32).reshape(-1).tolist()]


def main():
    g = torch.Generator().manual_seed(0)
    grid = torch.linspace(-7.0, 7.0, 1401, dtype=torch.float32)
    rand = torch.randn(600, generator=g, dtype=torch.float32) * 2.0
    tiny = torch.tensor([1e-30, -1e-30, 1e-8, -3e-6, 1e-4, 0.49999997, 0.5, 0.50000006, 5.9999995, 6.0],
                        dtype=torch.float32)
    x = torch.cat([grid, rand, tiny])
    ops = {
        "erf": torch.erf,
        "tanh": torch.tanh,
        "sigmoid": torch.sigmoid,
        "exp": torch.exp,
    }
    data = {"torch": torch.__version__, "x": f32list(x)}
    for name, fn in ops.items():
        data[name] = f32list(fn(x))
    pos = torch.cat([torch.rand(300, generator=g) * 100, torch.tensor([1e-30, 1.0, 2.0, 4.0])]).to(torch.float32)
    data["xpos"] = f32list(pos)
    data["log"] = f32list(torch.log(pos))
    data["sqrt"] = f32list(torch.sqrt(pos))
    data["rsqrt"] = f32list(torch.rsqrt(pos))
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    tmp = OUT + ".tmp"
    with open(tmp, "w") as f:
        json.dump(data, f)
    os.replace(tmp, OUT)  # atomic: readers never see a half-written file
    print("wrote", OUT, len(data["x"]), "points")


if __name__ == "__main__":
    main()
