#!/usr/bin/python3
"""Writes Pillow 9.4's decode of each image listed on stdin (one path a line) as raw RGB bytes:
<outdir>/<index>.rgb plus <outdir>/index.json {path: {w, h, file} or {error}}.
Decode = np.asarray(ImageOps.exif_transpose(Image.open(p)).convert('RGB')) (HF load_image).
Usage: ... | /usr/bin/python3 tools/image-measure/pil_decode.py OUTDIR"""
import json, os, sys
import numpy as np
from PIL import Image, ImageOps

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
index = {}
for i, line in enumerate(sys.stdin):
    p = line.strip()
    if not p:
        continue
    try:
        im = ImageOps.exif_transpose(Image.open(p)).convert('RGB')
        a = np.asarray(im)
        name = f'{i}.rgb'
        a.tofile(os.path.join(out, name))
        index[p] = {'w': im.size[0], 'h': im.size[1], 'file': name}
    except Exception as e:  # noqa: BLE001 - record any decoder failure
        index[p] = {'error': str(e)}
json.dump(index, open(os.path.join(out, 'index.json'), 'w'))
