// PNG container walk: signature, chunk framing and CRCs, IHDR validation, PLTE/tRNS/eXIf extraction.
// Optimizes for refusing bad input early: every size is checked before anything proportional is allocated.
// Semantics: PNG spec (W3C REC-PNG-20031110) sections 5 and 11; ancillary chunks with bad CRCs are skipped.

import { ImageDecodeError } from './errors.js';

export const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] as const;

export interface PngHeader {
  width: number;
  height: number;
  bitDepth: 1 | 2 | 4 | 8 | 16;
  colorType: 0 | 2 | 3 | 4 | 6;
  interlace: 0 | 1;
}

export interface PngChunks {
  header: PngHeader;
  /** The IDAT chunk payloads, in order (views into the input). */
  idat: Uint8Array[];
  palette?: Uint8Array;
  trns?: Uint8Array;
  exif?: Uint8Array;
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (ISO 3309 / PNG) of bytes[start, end). */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const ALLOWED_DEPTHS: Record<number, readonly number[]> = {
  0: [1, 2, 4, 8, 16],
  2: [8, 16],
  3: [1, 2, 4, 8],
  4: [8, 16],
  6: [8, 16],
};

/** Samples per pixel for each colour type. */
export const PNG_SAMPLES: Record<PngHeader['colorType'], number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

export function hasPngSignature(bytes: Uint8Array): boolean {
  if (bytes.length < 8) return false;
  for (let i = 0; i < 8; i++) if (bytes[i] !== PNG_SIGNATURE[i]) return false;
  return true;
}

function u32(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

function chunkName(b: Uint8Array, o: number): string {
  return String.fromCharCode(b[o]!, b[o + 1]!, b[o + 2]!, b[o + 3]!);
}

function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function parseIHDR(d: Uint8Array, file: string | undefined): PngHeader {
  const bad = (why: string): never => { throw new ImageDecodeError('corrupt', file, `PNG IHDR: ${why}`); };
  if (d.length !== 13) bad(`expected 13 bytes, found ${d.length}`);
  const width = u32(d, 0);
  const height = u32(d, 4);
  const bitDepth = d[8]!;
  const colorType = d[9]!;
  if (width === 0 || height === 0) bad(`width and height must be >= 1, found ${width}x${height}`);
  if (width > 0x7fffffff || height > 0x7fffffff) bad(`width and height must be < 2^31, found ${width}x${height}`);
  const depths = ALLOWED_DEPTHS[colorType];
  if (depths === undefined) bad(`colour type must be 0, 2, 3, 4 or 6, found ${colorType}`);
  if (!depths!.includes(bitDepth)) bad(`bit depth ${bitDepth} is not allowed for colour type ${colorType} (allowed: ${depths!.join(', ')})`);
  if (d[10] !== 0) bad(`compression method must be 0, found ${d[10]}`);
  if (d[11] !== 0) bad(`filter method must be 0, found ${d[11]}`);
  if (d[12]! > 1) bad(`interlace method must be 0 or 1, found ${d[12]}`);
  return {
    width, height,
    bitDepth: bitDepth as PngHeader['bitDepth'],
    colorType: colorType as PngHeader['colorType'],
    interlace: d[12] as 0 | 1,
  };
}

/**
 * Walks every chunk. `onHeader` runs right after IHDR (the pixel-budget check) before the rest is read.
 * Throws ImageDecodeError('corrupt') for framing errors, bad critical-chunk CRCs, missing/misplaced
 * IHDR/PLTE/IDAT/IEND and unknown critical chunks.
 */
export function readPngChunks(bytes: Uint8Array, file: string | undefined, onHeader: (h: PngHeader) => void): PngChunks {
  const bad = (why: string): never => { throw new ImageDecodeError('corrupt', file, `PNG: ${why}`); };
  if (!hasPngSignature(bytes)) bad('bad signature (expected 89 50 4E 47 0D 0A 1A 0A)');
  let off = 8;
  let header: PngHeader | undefined;
  const idat: Uint8Array[] = [];
  let idatDone = false; // an IDAT run ended: a later IDAT is an error
  let palette: Uint8Array | undefined;
  let trns: Uint8Array | undefined;
  let exif: Uint8Array | undefined;
  let sawEnd = false;
  while (!sawEnd) {
    if (off + 12 > bytes.length) bad(`truncated: chunk header at byte ${off} needs 12 bytes, ${bytes.length - off} left (no IEND)`);
    const len = u32(bytes, off);
    const name = chunkName(bytes, off + 4);
    if (len > 0x7fffffff) bad(`chunk length ${len} at byte ${off} exceeds 2^31-1`);
    for (let i = 4; i < 8; i++) if (!isLetter(bytes[off + i]!)) bad(`chunk type at byte ${off} is not 4 letters`);
    const dataStart = off + 8;
    const dataEnd = dataStart + len;
    if (dataEnd + 4 > bytes.length) bad(`truncated: chunk ${name} at byte ${off} declares ${len} bytes, ${bytes.length - dataStart} left`);
    const critical = (bytes[off + 4]! & 0x20) === 0;
    const crcOk = crc32(bytes, off + 4, dataEnd) === u32(bytes, dataEnd);
    if (!crcOk && critical) bad(`CRC mismatch in critical chunk ${name} at byte ${off}`);
    const data = bytes.subarray(dataStart, dataEnd);
    off = dataEnd + 4;
    if (header === undefined && name !== 'IHDR') bad(`first chunk must be IHDR, found ${name}`);
    if (name !== 'IDAT' && idat.length > 0) idatDone = true;
    if (!crcOk) continue; // ancillary chunk with a bad CRC: the spec lets decoders skip it
    switch (name) {
      case 'IHDR':
        if (header !== undefined) bad('second IHDR chunk');
        header = parseIHDR(data, file);
        onHeader(header);
        break;
      case 'PLTE':
        if (idat.length > 0) bad('PLTE after IDAT');
        if (palette !== undefined) bad('second PLTE chunk');
        if (len === 0 || len % 3 !== 0 || len > 768) bad(`PLTE length must be a multiple of 3 in 3..768, found ${len}`);
        if (header!.colorType === 0 || header!.colorType === 4) bad(`PLTE not allowed for colour type ${header!.colorType}`);
        palette = data;
        break;
      case 'tRNS':
        if (idat.length > 0) break; // misplaced: ignore, like libpng
        trns = data;
        break;
      case 'eXIf':
        if (exif === undefined) exif = data;
        break;
      case 'IDAT':
        if (idatDone) bad('IDAT chunks are not consecutive');
        idat.push(data);
        break;
      case 'IEND':
        sawEnd = true;
        break;
      default:
        if (critical) bad(`unknown critical chunk ${name}`);
    }
  }
  const h = header!;
  if (idat.length === 0) bad('no IDAT chunk');
  if (h.colorType === 3 && palette === undefined) bad('colour type 3 (palette) without PLTE');
  const out: PngChunks = { header: h, idat };
  if (palette !== undefined) out.palette = palette;
  if (trns !== undefined) out.trns = trns;
  if (exif !== undefined) out.exif = exif;
  return out;
}

/** Byte length of the filtered (pre-unfilter) image data: sum over interlace passes of (rowBytes + 1) * rows. */
export function expectedFilteredLength(h: PngHeader): number {
  const bitsPerPixel = PNG_SAMPLES[h.colorType] * h.bitDepth;
  const rowBytes = (w: number): number => Math.ceil((w * bitsPerPixel) / 8);
  if (h.interlace === 0) return (rowBytes(h.width) + 1) * h.height;
  // Adam7 passes: [x0, y0, dx, dy]
  const passes = [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]];
  let total = 0;
  for (const [x0, y0, dx, dy] of passes) {
    const pw = Math.ceil((h.width - x0!) / dx!);
    const ph = Math.ceil((h.height - y0!) / dy!);
    if (pw > 0 && ph > 0) total += (rowBytes(pw) + 1) * ph;
  }
  return total;
}

/** A minimal PNG holding the given IHDR fields and the original IDAT payloads (what pngjs is handed). */
export function buildPng(h: PngHeader, colorType: number, idat: readonly Uint8Array[]): Uint8Array {
  const chunks: Array<[string, Uint8Array]> = [];
  const ihdr = new Uint8Array(13);
  const dv = new DataView(ihdr.buffer);
  dv.setUint32(0, h.width);
  dv.setUint32(4, h.height);
  ihdr[8] = h.bitDepth;
  ihdr[9] = colorType;
  ihdr[12] = h.interlace;
  chunks.push(['IHDR', ihdr]);
  for (const d of idat) chunks.push(['IDAT', d]);
  chunks.push(['IEND', new Uint8Array(0)]);
  return assemblePng(chunks);
}

/** Signature + chunks with lengths and CRCs. */
export function assemblePng(chunks: ReadonlyArray<readonly [string, Uint8Array]>): Uint8Array {
  let total = 8;
  for (const [, d] of chunks) total += 12 + d.length;
  const out = new Uint8Array(total);
  out.set(PNG_SIGNATURE, 0);
  const dv = new DataView(out.buffer);
  let o = 8;
  for (const [name, d] of chunks) {
    dv.setUint32(o, d.length);
    for (let i = 0; i < 4; i++) out[o + 4 + i] = name.charCodeAt(i);
    out.set(d, o + 8);
    dv.setUint32(o + 8 + d.length, crc32(out, o + 4, o + 8 + d.length));
    o += 12 + d.length;
  }
  return out;
}
