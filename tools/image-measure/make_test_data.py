#!/usr/bin/python3
"""Copies a small, outcome-covering subset of shared/realdata (png, jpeg, photos) into
packages/io/test/data/{png,jpeg,photos} with trimmed manifests, and writes INDEPENDENT references made by
Pillow 9.4 (libjpeg-turbo 2.1.5): for JPEGs the decoded RGB (`ImageOps.exif_transpose(im).convert('RGB')`)
stored as lossless PNG, and for PIL modes L/LA/RGB/RGBA/P/I/1 small PNGs plus PIL's convert('RGB') /
convert('L') output (packages/io/test/data/png-convert).
Run: /usr/bin/python3 tools/image-measure/make_test_data.py <realdata dir> (the corpus folder of the shared data)
"""
import hashlib, json, os, re, shutil, sys
import numpy as np
from PIL import Image, ImageOps

if len(sys.argv) != 2:
    sys.exit('usage: make_test_data.py <realdata dir>')
REAL = sys.argv[1]
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'packages', 'io', 'test', 'data')

JPEG_SUBSET = [
    # decode: 4:4:4 and subsampled baseline, progressive, extended (SOF1), gray, restarts
    'jpeg-js/grumpycat.jpg', 'jpeg-js/skater-progressive.jpg', 'jpeg-js/redbox-with-rst.jpg',
    'jpeg-js/marker-ffdc.jpg', 'jpeg-js/cmyktest.jpg', 'jpeg-js/tree-cmyk-notransform.jpg',
    'jpeg-decoder-reftest/rgb.jpg',  # Adobe transform 0: RGB stored without YCbCr transform
    'jpeg-decoder-reftest/mozilla_jpg-size-17x17.jpg', 'jpeg-decoder-reftest/mozilla_jpg-size-5x5.jpg',
    'jpeg-decoder-reftest/mozilla_jpg-progressive.jpg', 'jpeg-decoder-reftest/mozilla_jpg-gray.jpg',
    'jpeg-decoder-reftest/mozilla_jpg-cmyk-1.jpg', 'jpeg-decoder-reftest/mozilla_jpg-cmyk-2.jpg',
    'jpeg-decoder-reftest/grayscale_16x24_sampling2x2.jpg', 'jpeg-decoder-reftest/grayscale_long.jpg',
    'jpeg-decoder-reftest/restarts.jpg', 'jpeg-decoder-reftest/16bit-qtables.jpg',
    'jpeg-decoder-reftest/non-interleaved-mcu.jpg', 'jpeg-decoder-reftest/progressive-missing-ac.jpg',
    'libjpeg-turbo/testorig.jpg', 'pillow/hopper_16bit_qtables.jpg', 'pillow/hopper_gray.jpg',
    'pillow/pil_sample_cmyk.jpg', 'pillow/pil_sample_rgb.jpg', 'pillow/invalid-exif.jpg',
    'pillow/broken_exif_dpi.jpg', 'pillow/multiple_exif.jpg', 'pillow/orientation_rectangle.jpg',
    'pillow/icc-after-SOF.jpg', 'pillow/xmp_padded.jpg', 'pillow/app13.jpg',
    # decode-lenient
    'jpeg-decoder-crashtest/dc-predictor-overflow.jpg', 'jpeg-decoder-reftest/extraneous-data.jpg',
    'jpeg-decoder-reftest/partial_progressive.jpg', 'jpeg-decoder-reftest/progressive-missing-dc.jpg',
    'jpeg-decoder-reftest/mozilla_jpg-size-6x6.jpg', 'pillow/truncated_app14.jpg', 'pillow/jpeg_ff00_header.jpg',
    'jpeg-decoder-crashtest/imagetestsuite_4838ece0d3900220d33528ee027289bc.jpg', 'jpeg-decoder-reftest/mjpeg.jpg',
    # unsupported-or-decode: 12-bit, arithmetic, lossless
    'libjpeg-turbo/monkey12.jpg', 'libjpeg-turbo/testimgari.jpg', 'jpeg-decoder-crashtest/invalid-prediction-shift.jpg',
    'jpeg-decoder-reftest/lossless_1_jpeg_lossless_sel1-8bit.jpg', 'jpeg-decoder-crashtest/imagetestsuite_754664a12e36abff7950e796c906ae39.jpg',
    # reject
    'jpeg-decoder-crashtest/empty.jpg', 'jpeg-decoder-crashtest/missing-sos.jpg', 'jpeg-decoder-crashtest/missing-sof.jpg',
    'jpeg-decoder-crashtest/missing-frame-image-1410.jpg', 'jpeg-decoder-crashtest/null_height.jpg',
    'jpeg-decoder-crashtest/max_size.jpg', 'jpeg-decoder-crashtest/invalid-dimensions.jpg',
    'jpeg-decoder-crashtest/imagetestsuite_4085c929e00c446d3fee18b5b20a27f9.jpg',
    'jpeg-decoder-crashtest/imagetestsuite_b0b8914cc5f7a6eff409f16d8cc236c5.jpg',
    'jpeg-decoder-crashtest/imagetestsuite_f1fad47f213bb64c99f714652f30e49e.jpg',
    'jpeg-decoder-crashtest/imagetestsuite_c52ffdd6a0346c4d09271f8ccbdfd5a3.jpg',
    'jpeg-decoder-crashtest/imagetestsuite_ef724193653930f52acffa90e6426fd2.jpg',
    'jpeg-decoder-crashtest/imagetestsuite_f012a4321f00f12af6b1eee7580ffb9c.jpg',
    'jpeg-decoder-crashtest/imagetestsuite_adcb34b94f4c839bdd29037419a0ee53.jpg',
    'jpeg-decoder-crashtest/imagetestsuite_fddcfc778ada60229380c2493fc4c243.jpg',
    'jpeg-decoder-crashtest/imagetestsuite_a17806f32b45d63eea5230e7893e1f15.jpg',
    'jpeg-decoder-crashtest/imagetestsuite_2183d39878e734cf79b62428b02fafb5.jpg', 'pillow/truncated_jpeg.jpg',
]
# we refuse these lenient files (jpeg-js fails inside the scan), so PIL's picture of them is not needed
LENIENT_NO_REF = {'jpeg-decoder-reftest/mjpeg.jpg'}
JPEG_EXTRA = ['jpeg-js/LICENSE.jpeg-js', 'libjpeg-turbo/LICENSE.testimages.txt', 'jpeg-decoder-crashtest/README.md',
              'jpeg-decoder-reftest/mozilla_README.md']
PHOTO_SUBSET = ['exif/hopper.jpg'] + [f'exif/hopper_orientation_{i}.jpg' for i in range(2, 9)] + [
    'cmyk/pil_sample_cmyk.jpg', 'cmyk/tree-cmyk.jpg', 'cmyk/tree-rgb.jpg']
JPEG_KEEP = ['file', 'size', 'sha256', 'structure', 'libjpeg_turbo', 'pillow', 'expect', 'expect_width',
             'expect_height', 'expect_channels', 'jpegjs_vs_pillow_rgb', 'exif_orientation', 'display_size', 'note']
PNG_KEEP = ['file', 'size', 'sha256', 'ihdr', 'expect', 'ref', 'note', 'pillow']


SOURCES = {
    'png': '''# Sources (copied from shared/realdata/png by tools/image-measure/make_test_data.py; see shared/realdata/SOURCES.md)

| files | from repository @ commit | license |
|---|---|---|
| pngsuite/*.png (175), PngSuite.LICENSE, PngSuite.README | lunapaint/pngsuite @ 8cd768dd0d00 (PngSuite-2017jul19 by Willem van Schaik) | PngSuite license: free to use, copy, modify, distribute |
| image-png/<dir>__<name>.png | image-rs/image-png @ 4f873e4a628c (tests/bugfixes, pngsuite-extra, sbit, iccp) | MIT OR Apache-2.0; bugfixes/gama-srgb-order-issue#304.png is CC-BY-2.0 (Flickr, see bugfixes__License.toml) |
| crafted/*.png (7) | made by shared/realdata/tools/make_crafted_png.py | CC0 |

manifest.json is the shared manifest with per-file fields trimmed (file, size, sha256, ihdr, expect, ref, note, pillow).
''',
    'jpeg': '''# Sources (a subset of shared/realdata/jpeg, copied by tools/image-measure/make_test_data.py; see shared/realdata/SOURCES.md)

| files | from repository @ commit | license |
|---|---|---|
| jpeg-js/*.jpg, LICENSE.jpeg-js | jpeg-js/jpeg-js @ 72cb0369b6e2 test/fixtures | BSD-3-Clause |
| libjpeg-turbo/*.jpg, LICENSE.testimages.txt | libjpeg-turbo/libjpeg-turbo @ 8a99315babe7 testimages | testorig*/testimg*: IJG License; monkey12.jpg: BSD-3-Clause |
| jpeg-decoder-reftest/*.jpg, mozilla_README.md | image-rs/jpeg-decoder @ eb2d7c0f6a2d tests/reftest/images (flattened a/b.jpg -> a_b.jpg) | MIT OR Apache-2.0; mozilla_* from mozilla-central (MPL-2.0) |
| jpeg-decoder-crashtest/*.jpg, README.md | image-rs/jpeg-decoder @ eb2d7c0f6a2d tests/crashtest/images | MIT OR Apache-2.0; imagetestsuite_* from code.google.com/p/imagetestsuite |
| pillow/*.jpg | python-pillow/Pillow @ 4e5f09f533db Tests/images | MIT-CMU (HPND) |
| pil-ref/*.png | Pillow 9.4.0 decode of the file above (ImageOps.exif_transpose + convert('RGB')), made here | as the source file |
''',
    'photos': '''# Sources (a subset of shared/realdata/photos, copied by tools/image-measure/make_test_data.py; see shared/realdata/SOURCES.md)

| files | from repository @ commit | license |
|---|---|---|
| exif/hopper*.jpg | python-pillow/Pillow @ 4e5f09f533db Tests/images | MIT-CMU (HPND); hopper = Grace Hopper portrait, US Navy photo, public domain |
| cmyk/tree-cmyk.jpg, tree-rgb.jpg | jpeg-js/jpeg-js @ 72cb0369b6e2 test/fixtures | BSD-3-Clause |
| cmyk/pil_sample_cmyk.jpg | python-pillow/Pillow @ 4e5f09f533db Tests/images | MIT-CMU (HPND) |
| pil-ref/*.png | Pillow 9.4.0 decode (ImageOps.exif_transpose + convert('RGB')), made here | as the source file |
''',
    'png-convert': '''# Sources

*.png (except rgb16_96x64.png) and pil-convert-refs.json: made by tools/image-measure/make_test_data.py with
Pillow 9.4.0 (random pixels, fixed seed): one small PNG per PIL mode (RGB, RGBA, L, LA, 1, P with a 30-entry
palette and indices up to 39, I;16) and PIL's convert('RGB') / convert('L') of each as PIL re-opens it. CC0.
rgb16_96x64.png + .expected.safetensors: copied from shared/fixtures/preprocess (16-bit RGB PNG written by
the fixture generator; rgb_u8 = PIL 9.4 decode). CC0.
''',
    'jpeg-sampling': '''# Sources

Made by tools/image-measure/make_test_data.py: synthetic images (gradient, hard-edged stripes, noise; fixed
seed) encoded with cjpeg (libjpeg-turbo 2.1.5, Debian libjpeg-turbo-progs) `-quality 90 -sample HxV`, and
Pillow 9.4.0's decode of each (*.pil.png); 37x23_2x2_nodht.jpg is 37x23_2x2.jpg without its DHT segment
(Motion-JPEG style), 37x23_rst_garbage.jpg has 3 junk bytes before a restart marker. CC0.
''',
}


def write_sources():
    for d, text in SOURCES.items():
        with open(os.path.join(OUT, d, 'SOURCES.md'), 'w') as fh:
            fh.write(text)


def sha(p):
    return hashlib.sha256(open(p, 'rb').read()).hexdigest()


def pil_rgb_ref(src, dst):
    """PIL's decode as HF load_image sees it, saved losslessly; returns the ref file name or None."""
    try:
        im = Image.open(src)
        im = ImageOps.exif_transpose(im).convert('RGB')
    except Exception:
        return None
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    im.save(dst, optimize=True)
    return {'width': im.size[0], 'height': im.size[1], 'rgb_sha256': hashlib.sha256(np.asarray(im).tobytes()).hexdigest()}


def copy_jpegs(kind, subset, extra):
    man = json.load(open(f'{REAL}/{kind}/manifest.json'))
    by = {f['file']: f for f in man['files']}
    out_dir = os.path.join(OUT, kind)
    files = []
    for rel in subset:
        f = by[rel]
        dst = os.path.join(out_dir, rel)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        shutil.copyfile(f'{REAL}/{kind}/{rel}', dst)
        assert sha(dst) == f['sha256']
        t = {k: f[k] for k in JPEG_KEEP if k in f}
        if f['expect'] == 'decode' or (f['expect'] == 'decode-lenient' and rel not in LENIENT_NO_REF):  # lenient: PIL's output
            ref_rel = 'pil-ref/' + rel.replace('/', '__').rsplit('.', 1)[0] + '.png'
            r = pil_rgb_ref(f'{REAL}/{kind}/{rel}', os.path.join(out_dir, ref_rel))
            if r is not None:
                t['pil_ref'] = dict(file=ref_rel, **r)
        files.append(t)
    for rel in extra:
        dst = os.path.join(out_dir, rel)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        shutil.copyfile(f'{REAL}/{kind}/{rel}', dst)
    trimmed = {'format': man['format'], 'reference': man['reference'], 'fields': man['fields'],
               'pil_ref': 'PNG of np.asarray(ImageOps.exif_transpose(Image.open(f)).convert("RGB")), Pillow 9.4.0 / libjpeg-turbo 2.1.5, made by tools/image-measure/make_test_data.py',
               'subset_of': f'realdata/{kind}/manifest.json ({len(files)} of {len(man["files"])} files)', 'files': files}
    write_manifest(os.path.join(out_dir, 'manifest.json'), trimmed)


def write_manifest(path, data):
    # Pillow's recorded error messages name the corpus path it opened ('.../realdata/png/x.png'); keep them relative
    # to the corpus folder so the repo's copy names no path outside itself.
    text = re.sub(r"[^'\"\s]*realdata/", 'realdata/', json.dumps(data, indent=1))
    with open(path, 'w') as f:
        f.write(text)


def copy_png():
    man = json.load(open(f'{REAL}/png/manifest.json'))
    out_dir = os.path.join(OUT, 'png')
    files = []
    for f in man['files']:
        dst = os.path.join(out_dir, f['file'])
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        shutil.copyfile(f'{REAL}/png/{f["file"]}', dst)
        files.append({k: f[k] for k in PNG_KEEP if k in f})
    for rel in ['pngsuite/PngSuite.LICENSE', 'pngsuite/PngSuite.README', 'image-png/bugfixes__License.toml']:
        if os.path.exists(f'{REAL}/png/{rel}'):
            shutil.copyfile(f'{REAL}/png/{rel}', os.path.join(out_dir, rel))
    write_manifest(os.path.join(out_dir, 'manifest.json'), {'format': man['format'], 'reference': man['reference'],
                   'fields': man['fields'], 'subset_of': 'realdata/png/manifest.json (all files)', 'files': files})


def make_convert_refs():
    """Small images in every PIL mode the PNG decoder yields, and PIL's convert('RGB') / convert('L') of them."""
    out_dir = os.path.join(OUT, 'png-convert')
    os.makedirs(out_dir, exist_ok=True)
    # the decode-only 16-bit RGB fixture (not copied by the preprocessing tests, which need resized outputs)
    for f in ['rgb16_96x64.png', 'rgb16_96x64.expected.safetensors']:
        shutil.copyfile(os.path.join(REAL, '..', 'fixtures', 'preprocess', f), os.path.join(out_dir, f))
    rng = np.random.default_rng(1234)
    W, H = 13, 7
    cases = {}
    rgb = rng.integers(0, 256, (H, W, 3), dtype=np.uint8)
    rgb[0, :6] = [[0, 0, 0], [255, 255, 255], [255, 0, 0], [0, 255, 0], [0, 0, 255], [1, 2, 3]]
    cases['rgb'] = Image.fromarray(rgb, 'RGB')
    cases['rgba'] = Image.fromarray(np.dstack([rgb, rng.integers(0, 256, (H, W), dtype=np.uint8)]), 'RGBA')
    cases['l'] = Image.fromarray(rgb[:, :, 0], 'L')
    cases['la'] = Image.fromarray(np.dstack([rgb[:, :, 0], rgb[:, :, 1]]), 'LA')
    cases['one'] = Image.fromarray(rgb[:, :, 0] > 127).convert('1')
    p = Image.fromarray(rng.integers(0, 40, (H, W), dtype=np.uint8), 'P')
    p.putpalette(list(rng.integers(0, 256, 30 * 3, dtype=np.uint8)))  # 30 entries: indices 30..39 are past the end
    cases['p_short_palette'] = p
    i16 = rng.integers(0, 65536, (H, W)).astype(np.uint16)
    i16[0, :5] = [0, 1, 254, 255, 256]
    cases['i16'] = Image.fromarray(i16, 'I;16')
    refs = {}
    for name, im in cases.items():
        path = os.path.join(out_dir, f'{name}.png')
        im.save(path)
        re = Image.open(path)  # what PIL sees when it opens the file
        refs[name] = {'file': f'{name}.png', 'pil_mode': re.mode, 'width': re.size[0], 'height': re.size[1],
                      'rgb': np.asarray(re.convert('RGB')).reshape(-1).tolist(),
                      'l': np.asarray(re.convert('L')).reshape(-1).tolist()}
    # PIL's L formula on a grid of RGB triples (pure conversion check, no file involved)
    trip = rng.integers(0, 256, (1, 4096, 3), dtype=np.uint8)
    trip[0, :8] = [[0, 0, 0], [255, 255, 255], [255, 0, 0], [0, 255, 0], [0, 0, 255], [128, 128, 128], [1, 0, 0], [0, 1, 1]]
    refs['_luma_triples'] = {'rgb': trip.reshape(-1).tolist(), 'l': np.asarray(Image.fromarray(trip, 'RGB').convert('L')).reshape(-1).tolist()}
    json.dump({'made_by': 'tools/image-measure/make_test_data.py with Pillow ' + Image.__version__, 'cases': refs},
              open(os.path.join(out_dir, 'pil-convert-refs.json'), 'w'))


def make_sampling_jpegs():
    """JPEGs with every chroma sampling libjpeg distinguishes (cjpeg -sample, libjpeg-turbo), odd and tiny
    sizes, plus PIL's decode: covers the h2v1 / h1v2 / h2v2 fancy filters, their downsampled_width <= 2
    fallbacks and plain replication (h4v1). Needs cjpeg (Debian libjpeg-turbo-progs)."""
    import subprocess, tempfile
    out_dir = os.path.join(OUT, 'jpeg-sampling')
    os.makedirs(out_dir, exist_ok=True)
    rng = np.random.default_rng(77)
    files = []
    for (w, h) in [(37, 23), (3, 5), (4, 9), (2, 7)]:
        yy, xx = np.mgrid[0:h, 0:w]
        img = np.zeros((h, w, 3), np.uint8)
        img[..., 0] = (xx * 255 // max(w - 1, 1)).astype(np.uint8)
        img[..., 1] = np.where((xx // 3 + yy // 2) % 2 == 0, 230, 20)  # hard colour edges
        img[..., 2] = rng.integers(0, 256, (h, w), dtype=np.uint8)
        with tempfile.TemporaryDirectory() as td:
            ppm = os.path.join(td, 'src.ppm')
            Image.fromarray(img, 'RGB').save(ppm)
            for sample in ['1x1', '2x1', '1x2', '2x2', '4x1', '1x4', '4x2']:
                name = f'{w}x{h}_{sample}.jpg'
                path = os.path.join(out_dir, name)
                subprocess.run(['cjpeg', '-quality', '90', '-sample', sample, '-outfile', path, ppm], check=True)
                im = Image.open(path).convert('RGB')
                ref = name.replace('.jpg', '.pil.png')
                im.save(os.path.join(out_dir, ref))
                files.append({'file': name, 'sample': sample, 'width': w, 'height': h, 'pil_ref': ref})
    # Motion-JPEG style: the same stream without its DHT segment (cjpeg writes the Annex K standard tables,
    # which libjpeg installs when a file has none), and a restart-marker stream with garbage before an RST
    # (libjpeg: "extraneous bytes before marker", a warning).
    def segments(b):
        i, out = 2, []
        while i < len(b):
            m, L = b[i + 1], (b[i + 2] << 8) | b[i + 3]
            if m == 0xda:
                out.append((i, len(b)))
                break
            out.append((i, i + 2 + L))
            i += 2 + L
        return out
    src = open(os.path.join(out_dir, '37x23_2x2.jpg'), 'rb').read()
    nodht = b'\xff\xd8' + b''.join(src[a:e] for a, e in segments(src) if src[a + 1] != 0xc4)
    extra = {'37x23_2x2_nodht.jpg': nodht}
    with tempfile.TemporaryDirectory() as td:
        ppm = os.path.join(td, 'src.ppm')
        yy, xx = np.mgrid[0:23, 0:37]
        Image.fromarray(np.dstack([(xx * 7) % 256, (yy * 11) % 256, ((xx + yy) * 5) % 256]).astype(np.uint8), 'RGB').save(ppm)
        rst = os.path.join(td, 'rst.jpg')
        subprocess.run(['cjpeg', '-quality', '90', '-restart', '1B', '-outfile', rst, ppm], check=True)
        b = open(rst, 'rb').read()
        k = b.index(b'\xff\xd1')
        extra['37x23_rst_garbage.jpg'] = b[:k] + b'\x12\x34\x56' + b[k:]
    for name, data in extra.items():
        with open(os.path.join(out_dir, name), 'wb') as fh:
            fh.write(data)
        im = Image.open(os.path.join(out_dir, name)).convert('RGB')
        ref = name.replace('.jpg', '.pil.png')
        im.save(os.path.join(out_dir, ref))
        files.append({'file': name, 'sample': '2x2', 'width': im.size[0], 'height': im.size[1], 'pil_ref': ref})
    json.dump({'made_by': 'tools/image-measure/make_test_data.py: cjpeg (libjpeg-turbo) -quality 90 -sample HxV; *_nodht: DHT removed (Annex K default tables); *_rst_garbage: -restart 1B with 3 bytes before RST1; pil_ref = Pillow ' + Image.__version__ + ' convert("RGB")',
               'files': files}, open(os.path.join(out_dir, 'manifest.json'), 'w'), indent=1)


if __name__ == '__main__':
    for d in ['png', 'jpeg', 'photos', 'png-convert', 'jpeg-sampling']:
        shutil.rmtree(os.path.join(OUT, d), ignore_errors=True)  # regenerate from scratch, no stale files
    copy_png()
    copy_jpegs('jpeg', JPEG_SUBSET, JPEG_EXTRA)
    copy_jpegs('photos', PHOTO_SUBSET, [])
    make_convert_refs()
    make_sampling_jpegs()
    write_sources()
    print('wrote', os.path.abspath(OUT))
