#!/usr/bin/python3
"""PIL's own decode of the realdata photos, saved losslessly, so the RESIZE step of the vit224 references can be
checked in isolation (our JPEG decoder is jpeg-js, which differs from libjpeg-turbo by design).

For every photo in shared/realdata/photos/manifest.json with a `vit224` entry, writes
<out>/<stem>.pil_rgb.png = ImageOps.exif_transpose(Image.open(f)).convert('RGB') (exactly the input the vit224
reference was resized from: see manifest `vit_reference`) and, for `vit224_without_exif_transpose`,
<out>/<stem>.no-exif.pil_rgb.png = Image.open(f).convert('RGB'). It also checks that PIL's own
resize((224, 224), BILINEAR) of that image reproduces the stored vit224 PNG, so the references are consistent.

Run: /usr/bin/python3 tools/preprocess-refs/make_photo_refs.py <realdata dir>/photos /tmp/photo-refs
Needs python3-pil (Debian, Pillow 9.4.0).
"""
import json
import os
import sys

import numpy as np
from PIL import Image, ImageOps


def main(photos, out):
    os.makedirs(out, exist_ok=True)
    m = json.load(open(os.path.join(photos, "manifest.json")))
    for f in m["files"]:
        for key, transpose in (("vit224", True), ("vit224_without_exif_transpose", False)):
            ref = f.get(key) or {}
            if "file" not in ref:
                continue
            im = Image.open(os.path.join(photos, f["file"]))
            if transpose:
                im = ImageOps.exif_transpose(im)
            rgb = im.convert("RGB")
            r = np.array(rgb.resize((224, 224), resample=Image.BILINEAR))
            want = np.array(Image.open(os.path.join(photos, ref["file"])).convert("RGB"))
            assert (r == want).all(), f["file"]
            stem = os.path.splitext(os.path.basename(ref["file"]))[0]
            dst = os.path.join(out, stem + ".pil_rgb.png")
            rgb.save(dst + ".tmp.png", optimize=True)
            os.replace(dst + ".tmp.png", dst)
            print(dst, rgb.size, os.path.getsize(dst))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
