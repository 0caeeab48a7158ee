// JPEG marker walk: SOF (process, precision, size, components), APP0 JFIF, APP1 EXIF, APP14 Adobe, SOS headers.
// Optimizes for refusing what jpeg-js would mis-decode, before it allocates: 12-bit, lossless, arithmetic,
// hierarchical, bad progressive parameters, missing SOS. Colour space inference follows libjpeg-turbo
// jdapimin.c default_decompress_parms; progressive checks follow jdphuff.c start_pass_phuff_decoder.

import { ImageDecodeError } from './errors.js';
import type { JpegColorSpace } from './types.js';

export interface JpegComponent { id: number; h: number; v: number; tq: number }

export interface JpegInfo {
  sofMarker: number;
  progressive: boolean;
  precision: number;
  width: number;
  height: number;
  components: JpegComponent[];
  jfif: boolean;
  /** APP14 Adobe transform flag (0 none / 1 YCbCr / 2 YCCK), undefined without an Adobe segment. */
  adobeTransform?: number;
  /** Byte offsets of the transform flag in every Adobe segment (jpeg-js honours the last one). */
  adobeTransformOffsets: number[];
  /** TIFF block of the first APP1 "Exif\0" segment. */
  exif?: Uint8Array;
  sosCount: number;
  colorSpace: JpegColorSpace;
  /**
   * [start, end) byte ranges of the well-formed segments and scans, in order (SOI excluded), and whether they
   * tile the file without gaps. When not, `sanitizeJpeg` rebuilds the stream libjpeg would effectively read.
   */
  ranges: Array<[number, number]>;
  clean: boolean;
}

const SOF_NAMES: Record<number, string> = {
  0xc0: 'baseline', 0xc1: 'extended sequential', 0xc2: 'progressive', 0xc3: 'lossless',
  0xc5: 'differential sequential (hierarchical)', 0xc6: 'differential progressive (hierarchical)',
  0xc7: 'differential lossless (hierarchical)', 0xc9: 'arithmetic-coded extended sequential',
  0xca: 'arithmetic-coded progressive', 0xcb: 'arithmetic-coded lossless',
  0xcd: 'arithmetic-coded differential sequential', 0xce: 'arithmetic-coded differential progressive',
  0xcf: 'arithmetic-coded differential lossless',
};

export function hasJpegSignature(bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
}

function inferColorSpace(info: Omit<JpegInfo, 'colorSpace'>): JpegColorSpace {
  const n = info.components.length;
  if (n === 1) return 'gray';
  if (n === 3) {
    if (info.jfif) return 'ycbcr'; // JFIF wins over Adobe in libjpeg
    if (info.adobeTransform !== undefined) return info.adobeTransform === 0 ? 'rgb' : 'ycbcr';
    const ids = info.components.map((c) => c.id);
    if (ids[0] === 0x52 && ids[1] === 0x47 && ids[2] === 0x42) return 'rgb'; // component ids 'R','G','B'
    return 'ycbcr';
  }
  // 4 components: Adobe 0 = CMYK, anything else = YCCK; no Adobe segment = CMYK.
  if (info.adobeTransform !== undefined && info.adobeTransform !== 0) return 'ycck';
  return 'cmyk';
}

/** Walks all markers (skipping entropy-coded data). Throws ImageDecodeError for unsupported or broken structure. */
export function readJpegInfo(bytes: Uint8Array, file: string | undefined): JpegInfo {
  const bad = (why: string): never => { throw new ImageDecodeError('corrupt', file, `JPEG: ${why}`); };
  const unsupported = (why: string): never => { throw new ImageDecodeError('unsupported', file, `JPEG: ${why}`); };
  if (!hasJpegSignature(bytes)) bad('missing SOI marker FF D8');
  const len = bytes.length;
  let off = 2;
  let sof: Pick<JpegInfo, 'sofMarker' | 'progressive' | 'precision' | 'width' | 'height' | 'components'> | undefined;
  let jfif = false;
  let adobeTransform: number | undefined;
  const adobeTransformOffsets: number[] = [];
  let exif: Uint8Array | undefined;
  let sosCount = 0;
  const ranges: Array<[number, number]> = [];
  while (off < len) {
    if (bytes[off] !== 0xff) {
      // Garbage between segments: libjpeg warns ("extraneous bytes") and resyncs; so do we.
      off++;
      continue;
    }
    while (off < len && bytes[off] === 0xff) off++; // fill bytes
    if (off >= len) break;
    const markerStart = off - 1;
    const m = bytes[off++]!;
    if (m === 0xd9) { ranges.push([markerStart, off]); break; }
    if (m === 0x00 || m === 0x01 || (m >= 0xd0 && m <= 0xd7)) continue; // standalone markers
    if (m === 0xd8) bad(`second SOI marker at byte ${off - 2}`);
    const isSof = m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;
    // The marker alone names the coding process: refuse unsupported ones even if the segment is cut short.
    if (isSof && m !== 0xc0 && m !== 0xc1 && m !== 0xc2) {
      unsupported(`${SOF_NAMES[m] ?? `SOF${m - 0xc0}`} (SOF${m - 0xc0}) is not supported; only 8-bit Huffman baseline, extended and progressive`);
    }
    if (m === 0xcc) unsupported('arithmetic-coding conditioning (DAC marker) is not supported');
    // A segment cut off by the end of the file: libjpeg would wait for more data, which Pillow reports as a
    // truncated (or broken) file, whether or not the image data came before it.
    if (off + 2 > len) bad(`truncated: marker FF ${m.toString(16).toUpperCase()} at byte ${off - 2} has no length`);
    const segLen = (bytes[off]! << 8) | bytes[off + 1]!;
    if (segLen < 2) bad(`marker FF ${m.toString(16).toUpperCase()} at byte ${off - 2} has length ${segLen} (< 2)`);
    const segEnd = off + segLen;
    if (segEnd > len) bad(`truncated: marker FF ${m.toString(16).toUpperCase()} at byte ${off - 2} runs past the end of the file`);
    const seg = bytes.subarray(off + 2, segEnd);
    off = segEnd;
    ranges.push([markerStart, segEnd]);
    if (isSof) {
      if (sof !== undefined) bad('more than one SOF marker (multi-frame JPEG)');
      if (seg.length < 6) bad(`SOF segment too short (${seg.length} bytes)`);
      const precision = seg[0]!;
      if (precision !== 8) unsupported(`${precision}-bit sample precision is not supported (only 8-bit)`);
      const height = (seg[1]! << 8) | seg[2]!;
      const width = (seg[3]! << 8) | seg[4]!;
      const n = seg[5]!;
      if (seg.length < 6 + 3 * n) bad(`SOF declares ${n} components but holds ${Math.floor((seg.length - 6) / 3)}`);
      if (width === 0) bad('SOF width is 0');
      if (height === 0) unsupported('SOF height 0 (height given by a DNL marker) is not supported');
      if (width > 65500 || height > 65500) {
        // libjpeg's JPEG_MAX_DIMENSION: Pillow cannot open these either
        throw new ImageDecodeError('limit', file, `JPEG: ${width}x${height} exceeds the maximum dimension 65500 (libjpeg JPEG_MAX_DIMENSION)`);
      }
      if (n !== 1 && n !== 3 && n !== 4) unsupported(`${n} colour components (supported: 1 gray, 3 colour, 4 CMYK/YCCK)`);
      const components: JpegComponent[] = [];
      for (let i = 0; i < n; i++) {
        const id = seg[6 + 3 * i]!;
        const hv = seg[7 + 3 * i]!;
        const c = { id, h: hv >> 4, v: hv & 15, tq: seg[8 + 3 * i]! };
        if (c.h < 1 || c.h > 4 || c.v < 1 || c.v > 4) bad(`component ${id} has sampling factors ${c.h}x${c.v} (must be 1..4)`);
        if (c.tq > 3) bad(`component ${id} uses quantization table ${c.tq} (must be 0..3)`);
        components.push(c);
      }
      sof = { sofMarker: m, progressive: m === 0xc2, precision, width, height, components };
      continue;
    }
    if (m === 0xe0 && seg.length >= 5 && seg[0] === 0x4a && seg[1] === 0x46 && seg[2] === 0x49 && seg[3] === 0x46 && seg[4] === 0) jfif = true;
    if (m === 0xe1 && exif === undefined && seg.length >= 6 && seg[0] === 0x45 && seg[1] === 0x78 && seg[2] === 0x69 && seg[3] === 0x66 && seg[4] === 0) exif = seg.subarray(6);
    if (m === 0xee && seg.length >= 12 && seg[0] === 0x41 && seg[1] === 0x64 && seg[2] === 0x6f && seg[3] === 0x62 && seg[4] === 0x65) {
      adobeTransform = seg[11]!;
      adobeTransformOffsets.push(seg.byteOffset - bytes.byteOffset + 11);
    }
    if (m === 0xda) {
      if (sof === undefined) bad('SOS before SOF');
      sosCount++;
      const ns = seg[0] ?? 0;
      if (ns < 1 || ns > 4 || seg.length < 1 + 2 * ns + 3) bad(`SOS header with ${ns} components and ${seg.length} bytes`);
      const ss = seg[1 + 2 * ns]!;
      const se = seg[2 + 2 * ns]!;
      const ah = seg[3 + 2 * ns]! >> 4;
      const al = seg[3 + 2 * ns]! & 15;
      if (sof!.progressive) {
        // libjpeg jdphuff.c: DC scans have Se = 0; AC scans Ss <= Se <= 63 over one component;
        // successive approximation refines one bit at a time (Al = Ah - 1); Al <= 13.
        let ok = ss === 0 ? se === 0 : ss <= se && se <= 63 && ns === 1;
        if (ah !== 0 && al !== ah - 1) ok = false;
        if (al > 13) ok = false;
        if (!ok) bad(`invalid progressive scan parameters Ss=${ss} Se=${se} Ah=${ah} Al=${al}`);
      }
      // Skip the entropy-coded segment: stop at the next marker that is not a stuffed 00 or a restart.
      while (off < len) {
        if (bytes[off] === 0xff && off + 1 < len) {
          const next = bytes[off + 1]!;
          if (next !== 0x00 && next !== 0xff && !(next >= 0xd0 && next <= 0xd7)) break;
        }
        off++;
      }
      ranges[ranges.length - 1]![1] = off; // the scan's range includes its entropy-coded data
    }
  }
  if (sof === undefined) bad('no SOF marker (no frame header)');
  if (sosCount === 0) bad('missing SOS marker (no image data)');
  // Every scan walks the whole coefficient grid, so thousands of tiny progressive scans over a large frame are
  // a CPU bomb (real encoders write about 10). Refuse work beyond 2^32 scan-pixels or 1000 scans.
  if (sosCount > 1000 || sosCount * sof!.width * sof!.height > 2 ** 32) {
    throw new ImageDecodeError('limit', file, `JPEG: ${sosCount} scans over ${sof!.width}x${sof!.height} pixels exceed the decoding work limit`);
  }
  const last = ranges[ranges.length - 1]!;
  if (bytes[last[0] + 1] === 0xda && last[1] >= len) {
    // Pillow (LOAD_TRUNCATED_IMAGES off) refuses a file that ends inside the entropy-coded data.
    bad(`truncated: the file ends inside the scan data that starts at byte ${last[0]} (no EOI marker)`);
  }
  // Clean = the ranges tile the file from byte 2; whatever follows EOI is ignored (libjpeg stops there).
  let clean = ranges.length > 0 && ranges[0]![0] === 2;
  for (let i = 1; clean && i < ranges.length; i++) if (ranges[i]![0] !== ranges[i - 1]![1]) clean = false;
  const base = { ...sof!, jfif, sosCount, adobeTransformOffsets, ranges, clean, ...(adobeTransform !== undefined ? { adobeTransform } : {}), ...(exif !== undefined ? { exif } : {}) };
  return { ...base, colorSpace: inferColorSpace(base) };
}

/**
 * The stream libjpeg effectively decodes: SOI, then the well-formed segments and scans in order. Drops the
 * garbage libjpeg skips with an "extraneous bytes before marker" warning (jpeg-js throws "unknown JPEG marker"
 * there). A missing EOI is not appended: Pillow refuses truncated files ("image file is truncated"), and
 * jpeg-js then fails the same way.
 */
export function sanitizeJpeg(bytes: Uint8Array, ranges: ReadonlyArray<readonly [number, number]>): Uint8Array {
  let total = 2;
  for (const [a, b] of ranges) total += b - a;
  const out = new Uint8Array(total);
  out[0] = 0xff;
  out[1] = 0xd8;
  let o = 2;
  for (const [a, b] of ranges) {
    out.set(bytes.subarray(a, b), o);
    o += b - a;
  }
  return out;
}
