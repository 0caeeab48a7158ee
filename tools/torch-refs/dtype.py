#!/usr/bin/env python3
"""float32 -> float16 / bfloat16 conversions by PyTorch (round to nearest even), for dtype.test.ts.

Inputs are float32 bit patterns chosen to hit every regime: random bits restricted to exponents around the
f16 normal/subnormal/overflow boundaries, exact ties (the dropped bits = 1000...0), and random full-range bits.
Writes packages/tensor/test/data/dtype/f32_to_16.json: {f32: [uint32 bits], f16: [uint16], bf16: [uint16]}.
NaN inputs are excluded (torch keeps payload bits; we only promise a quiet NaN). Run from the repo root:
    /usr/bin/python3 tools/torch-refs/dtype.py
"""
import json
import os

import numpy as np
import torch

OUT = os.path.join("packages", "tensor", "test", "data", "dtype", "f32_to_16.json")


def main():
    rng = np.random.default_rng(0)
    parts = []
    # random mantissas with exponents from deep f16-subnormal (2^-26) to past f16 overflow (2^17)
    exps = rng.integers(127 - 26, 127 + 17, size=2000, dtype=np.uint32)
    mant = rng.integers(0, 1 << 23, size=2000, dtype=np.uint32)
    sign = rng.integers(0, 2, size=2000, dtype=np.uint32) << 31
    parts.append(sign | (exps << 23) | mant)
    # exact ties for f16 (13 dropped bits = 0x1000) and for bf16 (16 dropped bits = 0x8000)
    e2 = rng.integers(127 - 14, 127 + 16, size=500, dtype=np.uint32)
    m2 = (rng.integers(0, 1 << 10, size=500, dtype=np.uint32) << 13) | 0x1000
    parts.append((e2 << 23) | m2)
    e3 = rng.integers(1, 254, size=500, dtype=np.uint32)
    m3 = (rng.integers(0, 1 << 7, size=500, dtype=np.uint32) << 16) | 0x8000
    parts.append((e3 << 23) | m3)
    # full range random bits, then drop NaNs
    parts.append(rng.integers(0, 1 << 32, size=1000, dtype=np.uint64).astype(np.uint32))
    bits = np.concatenate(parts)
    vals = bits.view(np.float32)
    bits = bits[~np.isnan(vals)]
    x = torch.from_numpy(bits.view(np.float32).copy())
    f16 = x.half().view(torch.int16).numpy().view(np.uint16)
    bf16 = x.bfloat16().view(torch.int16).numpy().view(np.uint16)
    data = {"torch": torch.__version__, "f32": [int(b) for b in bits], "f16": [int(b) for b in f16],
            "bf16": [int(b) for b in bf16]}
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    tmp = OUT + ".tmp"
    with open(tmp, "w") as f:
        json.dump(data, f)
    os.replace(tmp, OUT)  # atomic
    print("wrote", OUT, len(data["f32"]), "values")


if __name__ == "__main__":
    main()
