#!/usr/bin/python3
"""PIL 9.4 resize references beyond the shared fixtures: every filter (NEAREST, LANCZOS, BILINEAR, BICUBIC,
BOX, HAMMING), modes L / RGB / RGBA (premultiplied by Image.resize) / CMYK (4 bands, not premultiplied),
down-, up- and mixed scaling, single-axis resizes, 1x1, and non-default boxes.

Also writes small pipeline references: HF CLIP-style (shortest edge + center crop, numpy arithmetic as in
transformers image_transforms.rescale / normalize) and timm eval (Resize(floor(size / crop_pct)) +
CenterCrop + torchvision ToTensor / Normalize arithmetic done with torch, as torchvision 0.14 does on PIL).

Run: /usr/bin/python3 tools/preprocess-refs/make_resize_refs.py packages/io/test/data/preprocess/pil_resize_refs.safetensors
Needs python3-pil, python3-numpy, python3-torch (Debian). Output ~1 MB.
"""
import json
import math
import os
import struct
import sys

import numpy as np
from PIL import Image
import PIL

assert PIL.__version__ == "9.4.0", PIL.__version__


def synth_rgb(w, h, seed):
    """Noise + hard edges + gradients + 1 px stripes: exercises negative lobes and clipping."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w]
    img = np.zeros((h, w, 3), np.float64)
    img[..., 0] = 255 * x / max(w - 1, 1)
    img[..., 1] = 255 * ((x // 3 + y // 3) % 2)
    img[..., 2] = 255 * (y % 2)
    noise = rng.integers(0, 256, size=(h, w, 3))
    mask = (x > w // 2)[..., None]
    img = np.where(mask, noise, img)
    img[h // 3: h // 3 + 3, :, :] = 255
    img[:, w // 4, :] = 0
    return np.clip(np.round(img), 0, 255).astype(np.uint8)


def to_bytes_tensors(tensors):
    """Minimal safetensors writer (format spec: u64 LE header length, JSON header, raw data)."""
    header = {}
    blobs = []
    off = 0
    for name, arr in tensors.items():
        arr = np.ascontiguousarray(arr)
        dt = {np.dtype(np.uint8): "U8", np.dtype(np.float32): "F32", np.dtype(np.int32): "I32"}[arr.dtype]
        b = arr.tobytes()
        header[name] = {"dtype": dt, "shape": list(arr.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    hj = json.dumps(header, separators=(",", ":")).encode()
    hj += b" " * ((8 - len(hj) % 8) % 8)
    return struct.pack("<Q", len(hj)) + hj + b"".join(blobs)


def main(out_path):
    t = {}
    base = synth_rgb(61, 47, 1)
    alpha = np.tile(np.linspace(0, 255, 61).round().astype(np.uint8), (47, 1))
    alpha[:5, :] = 0
    alpha[-5:, :] = 255
    rgba = np.dstack([base, alpha])
    cmyk = np.dstack([base, 255 - base[..., :1]])
    srcs = {
        "rgb": Image.fromarray(base, "RGB"),
        "l": Image.fromarray(base, "RGB").convert("L"),
        "rgba": Image.fromarray(rgba, "RGBA"),
        "cmyk": Image.frombytes("CMYK", (61, 47), cmyk.tobytes()),
    }
    for k, im in srcs.items():
        a = np.array(im)
        t[f"src.{k}"] = a if a.ndim == 3 else a[..., None]
    sizes = [(23, 19), (80, 60), (100, 20), (61, 30), (30, 47), (1, 1), (7, 5), (122, 94)]
    for k, im in srcs.items():
        for f in range(6):
            for (w, h) in sizes:
                if k != "rgb" and (w, h) in [(61, 30), (30, 47), (122, 94)]:
                    continue
                r = np.array(im.resize((w, h), resample=f))
                t[f"{k}.f{f}.{w}x{h}"] = r if r.ndim == 3 else r[..., None]
    # Tiny source: sizes where NEAREST's accumulated coordinate (x0 + a/2 + a + a ...) differs from
    # (x + 0.5) * a (2 -> 7, 15, 21 rows), and where Hamming's float32 constants 0.54f / 0.46f change a
    # 22-bit coefficient (3 -> 37, 97 columns).
    tiny = np.random.default_rng(3).integers(0, 256, size=(2, 3, 3)).astype(np.uint8)  # noise: every pixel differs
    t["src.tiny"] = tiny
    for f in range(6):
        for (w, h) in [(37, 7), (37, 15), (97, 21)]:
            t[f"tiny.f{f}.{w}x{h}"] = np.array(Image.fromarray(tiny, "RGB").resize((w, h), resample=f))
    # Boxes; the last one has coordinates that float32 cannot hold exactly (PIL keeps the box as C floats).
    boxes = [(3.5, 2.25, 50.75, 40.0), (0, 0, 61, 30), (10, 5, 11, 6), (1.1, 0.3, 40.7, 33.3)]
    for bi, box in enumerate(boxes):
        for f in range(6):
            r = np.array(srcs["rgb"].resize((30, 20), resample=f, box=box))
            t[f"rgb.f{f}.box{bi}"] = r

    # --- pipelines -------------------------------------------------------------------------------------
    photo = Image.fromarray(synth_rgb(109, 80, 7), "RGB")
    t["pipe.src"] = np.array(photo)
    # HF CLIPImageProcessor-like at size 64 (kept small): shortest_edge 64 (get_resize_output_image_size default_to_square=False),
    # BICUBIC, center_crop (top = (h - 64) // 2), rescale in float64 -> float32, normalize in float32.
    w, h = photo.size
    short, long = (w, h) if w <= h else (h, w)
    new_long = int(64 * long / short)
    size = (new_long, 64) if w > h else (64, new_long)  # PIL (w, h)
    r = np.array(photo.resize(size, resample=3))
    top = (r.shape[0] - 64) // 2
    left = (r.shape[1] - 64) // 2
    c = r[top:top + 64, left:left + 64]
    x = (c.astype(np.float64) * (1 / 255)).astype(np.float32)
    mean = np.array([0.48145466, 0.4578275, 0.40821073], dtype=np.float32)
    std = np.array([0.26862954, 0.26130258, 0.27577711], dtype=np.float32)
    x = (x - mean) / std
    t["pipe.clip.pixel_values"] = np.ascontiguousarray(x.transpose(2, 0, 1)[None])
    # timm eval at img_size 64: Resize(floor(64 / 0.875) = 73) shortest edge, BICUBIC; CenterCrop(64) with torchvision
    # rounding round((w - 64) / 2); ToTensor (float32 div 255); Normalize (float32 sub, div).
    import torch
    scale_size = math.floor(64 / 0.875)
    new_long = int(scale_size * long / short)
    size = (new_long, scale_size) if w > h else (scale_size, new_long)
    r = photo.resize(size, resample=3)
    W, H = r.size
    top = int(round((H - 64) / 2.0))
    left = int(round((W - 64) / 2.0))
    assert (left, W) == (18, 99), (left, W)  # banker's rounding: round(17.5) = 18, where HF's floor gives 17
    c = np.array(r.crop((left, top, left + 64, top + 64)))
    tt = torch.from_numpy(c).permute(2, 0, 1).contiguous().to(torch.float32).div(255)
    m = torch.as_tensor([0.485, 0.456, 0.406], dtype=torch.float32).view(-1, 1, 1)
    s = torch.as_tensor([0.229, 0.224, 0.225], dtype=torch.float32).view(-1, 1, 1)
    tt = tt.sub_(m).div_(s)
    t["pipe.timm.pixel_values"] = tt.unsqueeze(0).numpy()

    data = to_bytes_tensors(t)
    tmp = out_path + ".tmp"
    with open(tmp, "wb") as fh:
        fh.write(data)
    os.replace(tmp, out_path)
    print(out_path, len(data), "bytes,", len(t), "tensors")


if __name__ == "__main__":
    main(sys.argv[1])
