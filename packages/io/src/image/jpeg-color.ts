// libjpeg-turbo's chroma upsampling and YCbCr->RGB conversion, applied to our decoded planes (jpeg-exact.ts)
// and to jpeg-js' planes on the fallback path. Optimizes for matching Pillow (libjpeg-turbo 2.1,
// do_fancy_upsampling = TRUE, the default) instead of jpeg-js' nearest-neighbour upsampling and truncating float
// colour conversion, which are up to ~90 levels off at chroma edges. Semantics: libjpeg-turbo jdsample.c (jinit_upsampler method choice, h2v1/h1v2/h2v2 "fancy"
// triangle filters, edge rows replicated as in jdmainct.c) and jdcolor.c (ycc_rgb_convert, 16-bit fixed point).

import type { JpegComponent } from './jpeg-markers.js';

const SCALEBITS = 16;
const ONE_HALF = 1 << (SCALEBITS - 1);
const fix = (x: number): number => Math.floor(x * (1 << SCALEBITS) + 0.5);

/** jdcolor.c build_ycc_rgb_table: per-sample contributions, rounded in 16-bit fixed point. */
export const YCC_TABLES = (() => {
  const crR = new Int32Array(256), cbB = new Int32Array(256), crG = new Int32Array(256), cbG = new Int32Array(256);
  for (let i = 0; i < 256; i++) {
    const x = i - 128;
    crR[i] = (fix(1.402) * x + ONE_HALF) >> SCALEBITS;
    cbB[i] = (fix(1.772) * x + ONE_HALF) >> SCALEBITS;
    crG[i] = -fix(0.71414) * x;
    cbG[i] = -fix(0.34414) * x + ONE_HALF;
  }
  return { crR, cbB, crG, cbG };
})();

export const clamp255 = (v: number): number => (v < 0 ? 0 : v > 255 ? 255 : v);

/**
 * In place: interleaved Y,Cb,Cr (3 channels) -> R,G,B, exactly as libjpeg's ycc_rgb_convert.
 */
export function yccToRgbInPlace(data: Uint8Array): void {
  const { crR, cbB, crG, cbG } = YCC_TABLES;
  for (let i = 0; i + 2 < data.length; i += 3) {
    const y = data[i]!, cb = data[i + 1]!, cr = data[i + 2]!;
    data[i] = clamp255(y + crR[cr]!);
    data[i + 1] = clamp255(y + ((cbG[cb]! + crG[cr]!) >> SCALEBITS));
    data[i + 2] = clamp255(y + cbB[cb]!);
  }
}

/**
 * Re-upsamples subsampled components the way libjpeg does. `data` holds each component at full size,
 * nearest-neighbour upsampled (our replication, or jpeg-js' output with colorTransform off), so the
 * downsampled plane is recovered exactly by reading every 2nd sample. Components at other ratios are left as they are (libjpeg's
 * int_upsample is plain replication too).
 */
export function fancyUpsampleInPlace(data: Uint8Array, width: number, height: number, comps: readonly JpegComponent[]): void {
  const maxH = Math.max(...comps.map((c) => c.h));
  const maxV = Math.max(...comps.map((c) => c.v));
  const C = comps.length;
  comps.forEach((comp, k) => {
    const rh = maxH / comp.h;
    const rv = maxV / comp.v;
    if (rh === 1 && rv === 1) return;
    const dw = Math.ceil((width * comp.h) / maxH); // jdinput.c downsampled_width
    const dh = Math.ceil((height * comp.v) / maxV);
    const isH2V1 = rh === 2 && rv === 1, isH1V2 = rh === 1 && rv === 2, isH2V2 = rh === 2 && rv === 2;
    // jinit_upsampler: h2v1 / h2v2 use the fancy filter only when downsampled_width > 2; h1v2 always.
    if (!(isH1V2 || ((isH2V1 || isH2V2) && dw > 2))) return;
    // [dh, dw] downsampled plane from the nearest-neighbour copy
    const plane = new Uint8Array(dw * dh);
    for (let j = 0; j < dh; j++) {
      const row = j * rv;
      for (let i = 0; i < dw; i++) plane[j * dw + i] = data[(row * width + i * rh) * C + k]!;
    }
    const out = new Uint8Array(dw * 2); // one upsampled row (h2 cases), 2 * dw >= width
    const colsum = new Int32Array(dw);
    for (let y = 0; y < height; y++) {
      if (isH2V1) {
        // out[2i] = (3 p[i] + p[i-1] + 1) >> 2, out[2i+1] = (3 p[i] + p[i+1] + 2) >> 2; edge columns copied
        const r = y * dw;
        out[0] = plane[r]!;
        out[1] = (plane[r]! * 3 + plane[r + 1]! + 2) >> 2;
        for (let i = 1; i < dw - 1; i++) {
          const t = plane[r + i]! * 3;
          out[2 * i] = (t + plane[r + i - 1]! + 1) >> 2;
          out[2 * i + 1] = (t + plane[r + i + 1]! + 2) >> 2;
        }
        out[2 * dw - 2] = (plane[r + dw - 1]! * 3 + plane[r + dw - 2]! + 1) >> 2;
        out[2 * dw - 1] = plane[r + dw - 1]!;
        for (let x = 0, o = y * width * C + k; x < width; x++, o += C) data[o] = out[x]!;
        continue;
      }
      // Vertical neighbour: the row above for even output rows, below for odd; edges replicate (jdmainct.c).
      const near = y >> 1;
      const odd = (y & 1) === 1;
      const far = odd ? Math.min(near + 1, dh - 1) : Math.max(near - 1, 0);
      const n0 = near * dw, f0 = far * dw;
      if (isH1V2) {
        const bias = odd ? 2 : 1;
        for (let x = 0, o = y * width * C + k; x < width; x++, o += C) data[o] = (plane[n0 + x]! * 3 + plane[f0 + x]! + bias) >> 2;
        continue;
      }
      // h2v2: column sums 3*near + far, then the horizontal triangle filter (weights /16)
      for (let i = 0; i < dw; i++) colsum[i] = plane[n0 + i]! * 3 + plane[f0 + i]!;
      out[0] = (colsum[0]! * 4 + 8) >> 4;
      out[1] = (colsum[0]! * 3 + colsum[1]! + 7) >> 4;
      for (let i = 1; i < dw - 1; i++) {
        const t = colsum[i]! * 3;
        out[2 * i] = (t + colsum[i - 1]! + 8) >> 4;
        out[2 * i + 1] = (t + colsum[i + 1]! + 7) >> 4;
      }
      out[2 * dw - 2] = (colsum[dw - 1]! * 3 + colsum[dw - 2]! + 8) >> 4;
      out[2 * dw - 1] = (colsum[dw - 1]! * 4 + 7) >> 4;
      for (let x = 0, o = y * width * C + k; x < width; x++, o += C) data[o] = out[x]!;
    }
  });
}
