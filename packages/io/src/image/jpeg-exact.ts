// The exact JPEG path: our Huffman decoder + libjpeg's islow IDCT, fancy upsampling and colour conversion,
// then Pillow's CMYK->RGB. Optimizes for bit-exact agreement with Pillow 9.4 (libjpeg-turbo 2.1.5 defaults).
// Semantics: jdcoefct/jidctint (planes), jdsample (upsampling), jdcolor (YCbCr/YCCK), Pillow Convert.c cmyk2rgb.

import { ImageDecodeError } from './errors.js';
import { decodeCoefficients } from './jpeg-entropy.js';
import { idctIslow } from './jpeg-idct.js';
import { YCC_TABLES, clamp255, fancyUpsampleInPlace, yccToRgbInPlace } from './jpeg-color.js';
import type { JpegInfo } from './jpeg-markers.js';

/**
 * Decodes to 8-bit samples: 1 channel for gray, otherwise RGB as Pillow's convert('RGB') gives it.
 * Throws JpegStreamError for streams libjpeg would have to repair (the caller falls back to jpeg-js).
 */
export function decodeJpegExact(bytes: Uint8Array, info: JpegInfo, maxBytes: number, file: string | undefined): { data: Uint8Array; channels: 1 | 3 } {
  const { width, height, components: comps } = info;
  const maxH = Math.max(...comps.map((c) => c.h));
  const maxV = Math.max(...comps.map((c) => c.v));
  for (const c of comps) {
    if (maxH % c.h !== 0 || maxV % c.v !== 0) {
      // libjpeg: JERR_FRACT_SAMPLE_NOTIMPL, so Pillow cannot open these either
      throw new ImageDecodeError('unsupported', file, `JPEG: fractional sampling (component ${c.id} is ${c.h}x${c.v}, maximum ${maxH}x${maxV}) is not supported`);
    }
  }
  const dc = decodeCoefficients(bytes, info.ranges, info, maxBytes);

  // [blocksH*8, blocksW*8] sample plane per component
  const planes = comps.map((_, i) => {
    const bw = dc.blocksW[i]!, bh = dc.blocksH[i]!;
    const stride = bw * 8;
    const plane = new Uint8Array(stride * bh * 8);
    const coef = dc.coefs[i]!, q = dc.quant[i]!;
    for (let by = 0; by < bh; by++) {
      for (let bx = 0; bx < bw; bx++) idctIslow(coef, (by * bw + bx) * 64, q, plane, by * 8 * stride + bx * 8, stride);
    }
    return { plane, stride };
  });

  if (comps.length === 1) {
    const { plane, stride } = planes[0]!;
    const out = new Uint8Array(width * height);
    for (let y = 0; y < height; y++) out.set(plane.subarray(y * stride, y * stride + width), y * width);
    return { data: out, channels: 1 };
  }

  // Full-size interleaved components, each replicated from its plane (what fancyUpsampleInPlace expects).
  const C = comps.length;
  const full = new Uint8Array(width * height * C);
  comps.forEach((c, i) => {
    const rh = maxH / c.h, rv = maxV / c.v;
    const { plane, stride } = planes[i]!;
    for (let y = 0; y < height; y++) {
      const row = Math.floor(y / rv) * stride;
      for (let x = 0, o = y * width * C + i; x < width; x++, o += C) full[o] = plane[row + Math.floor(x / rh)]!;
    }
  });
  fancyUpsampleInPlace(full, width, height, comps);

  if (C === 3) {
    if (info.colorSpace === 'ycbcr') yccToRgbInPlace(full);
    return { data: full, channels: 3 };
  }
  // Four components. YCCK -> CMYK as libjpeg's ycck_cmyk_convert (C = 255 - R' etc., K kept), then Pillow reads
  // Adobe CMYK inverted ("CMYK;I") and converts with cmyk2rgb: R = K - MULDIV255(255 - C, K) for raw C, K.
  const n = width * height;
  const rgb = new Uint8Array(n * 3);
  const { crR, cbB, crG, cbG } = YCC_TABLES;
  const ycck = info.colorSpace === 'ycck';
  for (let p = 0; p < n; p++) {
    const s = p * 4;
    let c0 = full[s]!, c1 = full[s + 1]!, c2 = full[s + 2]!;
    if (ycck) {
      const y = c0, cb = c1, cr = c2;
      c0 = 255 - clamp255(y + crR[cr]!);
      c1 = 255 - clamp255(y + ((cbG[cb]! + crG[cr]!) >> 16));
      c2 = 255 - clamp255(y + cbB[cb]!);
    }
    const k = full[s + 3]!;
    // MULDIV255(a, b) = (t + (t >> 8)) >> 8 with t = a * b + 128 (Pillow's rounded a*b/255)
    let t = (255 - c0) * k + 128;
    rgb[p * 3] = k - (((t >> 8) + t) >> 8);
    t = (255 - c1) * k + 128;
    rgb[p * 3 + 1] = k - (((t >> 8) + t) >> 8);
    t = (255 - c2) * k + 128;
    rgb[p * 3 + 2] = k - (((t >> 8) + t) >> 8);
  }
  return { data: rgb, channels: 3 };
}
