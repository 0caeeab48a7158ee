#!/usr/bin/env python3
"""Reference outputs of torch.nn.functional.interpolate for @patchwise/tensor's interpolate2d tests.

Covers the ViT position-embedding resizes (HF ViT: bicubic, align_corners=False, size=; DINOv2 with
registers: antialias=True; legacy DINOv2: scale_factor=(h + 0.1) / sqrt(N)), plus bilinear, nearest, both
align_corners values, up and down, size and scale_factor, non-square, and degenerate sizes.
Writes packages/tensor/test/data/interpolate/cases.json (float32 values as exact decimals). Run from the repo
root:  /usr/bin/python3 tools/torch-refs/interpolate.py
"""
import json
import math
import os

import torch
import torch.nn.functional as F

OUT = os.path.join("packages", "tensor", "test", "data", "interpolate", "cases.json")


def case(name, shape, mode, size=None, scale_factor=None, align_corners=None, antialias=False, seed=0,
         recompute_scale_factor=None):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(*shape, generator=g, dtype=torch.float32)
    kwargs = dict(mode=mode, antialias=antialias)
    if mode != "nearest":
        kwargs["align_corners"] = bool(align_corners)
    if size is not None:
        kwargs["size"] = size
    if scale_factor is not None:
        kwargs["scale_factor"] = scale_factor
    if recompute_scale_factor is not None:
        kwargs["recompute_scale_factor"] = recompute_scale_factor
    y = F.interpolate(x, **kwargs)
    opts = {"mode": mode, "antialias": antialias}
    if mode != "nearest":
        opts["alignCorners"] = bool(align_corners)
    if size is not None:
        opts["size"] = list(size)
    if scale_factor is not None:
        opts["scaleFactor"] = list(scale_factor) if isinstance(scale_factor, tuple) else scale_factor
    if recompute_scale_factor is not None:
        opts["recomputeScaleFactor"] = recompute_scale_factor
    return {
        "name": name,
        "inputShape": list(x.shape),
        "input": [float(v) for v in x.reshape(-1).tolist()],
        "options": opts,
        "outputShape": list(y.shape),
        "output": [float(v) for v in y.reshape(-1).tolist()],
    }


def main():
    n = 37 * 37  # DINOv2 ViT-S/14 at 518 px: 37x37 patch tokens
    legacy_up = (40 + 0.1) / math.sqrt(n)
    legacy_down = (32 + 0.1) / math.sqrt(n)
    cases = [
        # HF ViT interpolate_pos_encoding: bicubic, align_corners=False, size=
        case("vit bicubic up 14->24", (1, 3, 14, 14), "bicubic", size=(24, 24), align_corners=False, seed=1),
        case("bicubic down non-square 14x14->7x5", (1, 2, 14, 14), "bicubic", size=(7, 5), align_corners=False, seed=2),
        case("bicubic align_corners up 6x9->20x11", (2, 2, 6, 9), "bicubic", size=(20, 11), align_corners=True, seed=3),
        case("bicubic align_corners down 9x9->4x3", (1, 2, 9, 9), "bicubic", size=(4, 3), align_corners=True, seed=4),
        case("bicubic scale_factor 2.5", (1, 2, 5, 6), "bicubic", scale_factor=2.5, align_corners=False, seed=5),
        case("bicubic scale_factor (0.6, 1.5)", (1, 1, 10, 7), "bicubic", scale_factor=(0.6, 1.5), align_corners=False, seed=6),
        # legacy DINOv2: scale_factor=(h + 0.1)/sqrt(N) -> coordinate scale is 1/scale_factor, not in/out
        case("dinov2 legacy up 37->40 sf=(40.1)/37", (1, 2, 37, 37), "bicubic",
             scale_factor=(legacy_up, legacy_up), align_corners=False, seed=7),
        case("dinov2 legacy down 37->32 sf=(32.1)/37", (1, 2, 37, 37), "bicubic",
             scale_factor=(legacy_down, legacy_down), align_corners=False, seed=8),
        case("bicubic recompute_scale_factor 37->32", (1, 1, 37, 37), "bicubic",
             scale_factor=(legacy_down, legacy_down), align_corners=False, recompute_scale_factor=True, seed=8),
        # DINOv2 with registers: antialias=True (cubic a=-0.5, support scaled by the downscale factor)
        case("bicubic aa down 37->16x20", (1, 2, 37, 37), "bicubic", size=(16, 20), align_corners=False, antialias=True, seed=9),
        case("bicubic aa up 16->37x23", (1, 2, 16, 16), "bicubic", size=(37, 23), align_corners=False, antialias=True, seed=10),
        case("bicubic aa mixed 12x30->20x9", (1, 1, 12, 30), "bicubic", size=(20, 9), align_corners=False, antialias=True, seed=11),
        case("bicubic aa scale_factor 0.4", (1, 1, 20, 15), "bicubic", scale_factor=0.4, align_corners=False, antialias=True, seed=12),
        case("bicubic aa align_corners down 20->7", (1, 1, 20, 20), "bicubic", size=(7, 7), align_corners=True, antialias=True, seed=13),
        case("bilinear up 5x7->12x10", (1, 2, 5, 7), "bilinear", size=(12, 10), align_corners=False, seed=14),
        case("bilinear down 13x13->4x6", (2, 1, 13, 13), "bilinear", size=(4, 6), align_corners=False, seed=15),
        case("bilinear align_corners 5x7->12x3", (1, 2, 5, 7), "bilinear", size=(12, 3), align_corners=True, seed=16),
        case("bilinear scale_factor 1.7", (1, 1, 6, 5), "bilinear", scale_factor=1.7, align_corners=False, seed=17),
        case("bilinear aa down 23->8x5", (1, 2, 23, 23), "bilinear", size=(8, 5), align_corners=False, antialias=True, seed=18),
        case("bilinear aa up 6->13", (1, 1, 6, 6), "bilinear", size=(13, 13), align_corners=False, antialias=True, seed=19),
        case("nearest up 5x7->12x10", (1, 2, 5, 7), "nearest", size=(12, 10), seed=20),
        case("nearest down 13x13->4x6", (1, 1, 13, 13), "nearest", size=(4, 6), seed=21),
        case("nearest scale_factor 1.3", (1, 1, 7, 7), "nearest", scale_factor=1.3, seed=22),
        case("nearest scale_factor 2", (1, 1, 3, 4), "nearest", scale_factor=2.0, seed=23),
        # degenerate sizes
        case("bicubic from 1x1", (1, 2, 1, 1), "bicubic", size=(3, 2), align_corners=False, seed=24),
        case("bilinear align_corners to 1x1", (1, 1, 4, 5), "bilinear", size=(1, 1), align_corners=True, seed=25),
        case("bicubic align_corners to 1x4", (1, 1, 4, 5), "bicubic", size=(1, 4), align_corners=True, seed=26),
        case("bilinear same size, sf 1.01 (copy shortcut)", (1, 1, 16, 16), "bilinear", scale_factor=1.01, align_corners=False, seed=27),
        case("bicubic same size, sf 1.01 (no shortcut)", (1, 1, 16, 16), "bicubic", scale_factor=1.01, align_corners=False, seed=28),
        case("bicubic identity 8->8", (1, 1, 8, 8), "bicubic", size=(8, 8), align_corners=False, seed=29),
    ]
    data = {"torch": torch.__version__, "cases": cases}
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    tmp = OUT + ".tmp"
    with open(tmp, "w") as f:
        json.dump(data, f)
    os.replace(tmp, OUT)  # atomic
    print("wrote", OUT, len(cases), "cases,", os.path.getsize(OUT), "bytes")


if __name__ == "__main__":
    main()
