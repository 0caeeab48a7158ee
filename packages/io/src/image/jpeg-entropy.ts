// Huffman entropy decoding of baseline, extended and progressive JPEG scans into DCT coefficient blocks.
// Optimizes for matching libjpeg exactly, including its repairs of data that ends early (zero padding, skipped
// MCUs) and overshooting runs; what it repairs heuristically (bad Huffman codes, wrong restart markers) throws
// JpegStreamError so the caller can fall back to jpeg-js' tolerant decoder.
// Semantics: ITU-T T.81 Annex F (sequential) and G (progressive); table checks as libjpeg-turbo jdhuff.c
// jpeg_make_d_derived_tbl; successive-approximation refinement as jdphuff.c decode_mcu_AC_refine.

import type { JpegComponent } from './jpeg-markers.js';

/** A stream libjpeg repairs heuristically (with a warning): the caller falls back to jpeg-js. */
export class JpegStreamError extends Error {
  override readonly name = 'JpegStreamError';
}

/** A table or scan header libjpeg rejects outright (ERREXIT): the file is refused, with no fallback. */
export class JpegFormatError extends Error {
  override readonly name = 'JpegFormatError';
}

/**
 * Zigzag index -> natural (row-major) position in the 8x8 block (T.81 Figure A.6), plus 16 extra entries of 63:
 * like libjpeg's jpeg_natural_order, a corrupt run that overshoots index 63 lands on coefficient 63.
 */
const NATURAL = Int32Array.from([
  0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21,
  28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61,
  54, 47, 55, 62, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63,
]);

/**
 * The standard tables of T.81 Annex K.3 as (16 counts, symbols) hex: Motion-JPEG frames omit them, and
 * libjpeg-turbo (jinit_huff_decoder / jinit_phuff_decoder std_huff_tables) installs them into empty slots 0/1.
 * Extracted from a file cjpeg (libjpeg-turbo 2.1.5) wrote with its default, non-optimized tables.
 */
const STD_TABLES: ReadonlyArray<readonly [isDC: boolean, slot: number, counts: string, symbols: string]> = [
  [true, 0, '00010501010101010100000000000000', '000102030405060708090a0b'],
  [true, 1, '00030101010101010101010000000000', '000102030405060708090a0b'],
  [false, 0, '0002010303020403050504040000017d',
    '01020300041105122131410613516107227114328191a1082342b1c11552d1f02433627282090a161718191a25262728292a3435363738393a434445464748494a535455565758595a636465666768696a737475767778797a838485868788898a92939495969798999aa2a3a4a5a6a7a8a9aab2b3b4b5b6b7b8b9bac2c3c4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae1e2e3e4e5e6e7e8e9eaf1f2f3f4f5f6f7f8f9fa'],
  [false, 1, '00020102040403040705040400010277',
    '000102031104052131061241510761711322328108144291a1b1c109233352f0156272d10a162434e125f11718191a262728292a35363738393a434445464748494a535455565758595a636465666768696a737475767778797a82838485868788898a92939495969798999aa2a3a4a5a6a7a8a9aab2b3b4b5b6b7b8b9bac2c3c4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae2e3e4e5e6e7e8e9eaf2f3f4f5f6f7f8f9fa'],
];

const hexBytes = (h: string): Uint8Array => Uint8Array.from(h.match(/../g)!, (x) => parseInt(x, 16));

interface HuffTable {
  /** maxcode[l]: largest code of length l (-1 if none); valptr[l]: index of its first symbol. */
  maxcode: Int32Array;
  mincode: Int32Array;
  valptr: Int32Array;
  values: Uint8Array;
}

export interface DecodedCoefficients {
  /** Per component: coefficients [blocksH][blocksW][64] (natural order), MCU-padded grid. */
  coefs: Int16Array[];
  blocksW: number[];
  blocksH: number[];
  /** Per component: dequantization table in natural order, latched at the component's first scan. */
  quant: Uint16Array[];
}

function buildHuffman(counts: Uint8Array, values: Uint8Array, isDC: boolean): HuffTable {
  const maxcode = new Int32Array(18).fill(-1);
  const mincode = new Int32Array(17);
  const valptr = new Int32Array(17);
  let code = 0, k = 0;
  for (let l = 1; l <= 16; l++) {
    const n = counts[l - 1]!;
    if (n > 0) {
      valptr[l] = k;
      mincode[l] = code;
      code += n;
      k += n;
      maxcode[l] = code - 1;
    }
    // libjpeg: codes of length l must fit in l bits
    if (code > 1 << l) throw new JpegFormatError('bogus Huffman table definition');
    code <<= 1;
  }
  if (isDC) for (const v of values) if (v > 15) throw new JpegFormatError('bogus DC Huffman symbol');
  maxcode[17] = 0x7fffffff; // sentinel
  return { maxcode, mincode, valptr, values };
}

/** Reads the entropy-coded bits of one scan interval; a marker ends the data. */
class BitReader {
  private buf = 0;
  private bits = 0;
  pos: number;
  /** Set when a marker was reached (no more data bits in this segment). */
  atMarker = false;
  /** libjpeg's insufficient_data: the data ran out inside this restart interval. */
  insufficient = false;

  constructor(private readonly data: Uint8Array, pos: number) {
    this.pos = pos;
  }

  /** Tops the bit buffer up to 25..32 bits, stopping (without error) at a marker or the end of the data. */
  private fill(): void {
    while (this.bits <= 24 && !this.atMarker) {
      if (this.pos >= this.data.length) { this.atMarker = true; break; }
      const byte = this.data[this.pos]!;
      if (byte === 0xff) {
        if (this.data[this.pos + 1] !== 0x00) { this.atMarker = true; break; }
        this.pos += 2; // stuffed FF 00
      } else {
        this.pos++;
      }
      this.buf = ((this.buf << 8) | byte) >>> 0;
      this.bits += 8;
    }
  }

  /**
   * Makes at least n bits available. Past a marker or the end of the data, libjpeg pads with zero bits, warns
   * once ("premature end of data segment") and sets insufficient_data, after which whole MCUs are skipped
   * until the next restart marker (jdhuff.c fill_bit_buffer / decode_mcu); we do the same.
   */
  private need(n: number): void {
    if (this.bits < n) this.fill();
    while (this.bits < n) {
      this.insufficient = true;
      this.buf = (this.buf << 8) >>> 0;
      this.bits += 8;
    }
  }

  bit(): number {
    this.need(1);
    this.bits--;
    return (this.buf >>> this.bits) & 1;
  }

  receive(n: number): number {
    if (n === 0) return 0;
    this.need(n);
    this.bits -= n;
    return (this.buf >>> this.bits) & ((1 << n) - 1);
  }

  decode(t: HuffTable): number {
    let code = 0;
    for (let l = 1; l <= 16; l++) {
      code = (code << 1) | this.bit();
      if (code <= t.maxcode[l]!) return t.values[t.valptr[l]! + code - t.mincode[l]!]!;
    }
    throw new JpegStreamError('bad Huffman code');
  }

  /**
   * After a restart interval: drop the buffered bits and consume the expected RSTn marker. Bytes before it are
   * skipped as libjpeg's next_marker does ("extraneous bytes before marker" is only a warning there); any other
   * marker needs libjpeg's resync heuristics (jpeg_resync_to_restart), so that stream goes to the fallback.
   */
  restart(expected: number): void {
    this.bits = 0;
    this.buf = 0;
    this.atMarker = false;
    const d = this.data;
    let pos = this.pos;
    for (;;) {
      while (pos < d.length && d[pos] !== 0xff) pos++;
      let q = pos + 1;
      while (q < d.length && d[q] === 0xff) q++;
      if (q >= d.length) throw new JpegStreamError(`expected restart marker RST${expected}, found the end of the data`);
      if (d[q] === 0x00) { pos = q + 1; continue; } // a stuffed FF 00 in the garbage
      const marker = d[q]!;
      if (marker !== 0xd0 + expected) throw new JpegStreamError(`expected restart marker RST${expected} at byte ${pos}, found FF ${marker.toString(16)}`);
      this.pos = q + 1;
      this.insufficient = false; // libjpeg process_restart: the expected marker was read
      return;
    }
  }
}

/** Value of an s-bit magnitude category (T.81 F.2.2.1 EXTEND). */
function extend(v: number, s: number): number {
  return v < 1 << (s - 1) ? v - (1 << s) + 1 : v;
}

/**
 * Decodes every scan of the (sanitized) stream into coefficients. `segments` are [start, end) ranges of the
 * marker segments and scans in file order, each starting at its FF xx marker.
 */
export function decodeCoefficients(
  data: Uint8Array,
  segments: ReadonlyArray<readonly [number, number]>,
  frame: { width: number; height: number; progressive: boolean; components: readonly JpegComponent[] },
  maxBytes: number,
): DecodedCoefficients {
  const comps = frame.components;
  const maxH = Math.max(...comps.map((c) => c.h));
  const maxV = Math.max(...comps.map((c) => c.v));
  const mcusX = Math.ceil(frame.width / (8 * maxH));
  const mcusY = Math.ceil(frame.height / (8 * maxV));
  const blocksW = comps.map((c) => mcusX * c.h);
  const blocksH = comps.map((c) => mcusY * c.v);
  let bytes = 0;
  for (let i = 0; i < comps.length; i++) bytes += blocksW[i]! * blocksH[i]! * 128;
  if (bytes > maxBytes) throw new RangeError(`coefficient buffers need ${bytes} bytes, over the memory limit of ${maxBytes}`);
  const coefs = comps.map((_, i) => new Int16Array(blocksW[i]! * blocksH[i]! * 64));
  const quantTables: Array<Uint16Array | undefined> = [];
  const quant: Array<Uint16Array | undefined> = comps.map(() => undefined);
  const dcTables: Array<HuffTable | undefined> = [];
  const acTables: Array<HuffTable | undefined> = [];
  for (const [isDC, slot, counts, symbols] of STD_TABLES) {
    (isDC ? dcTables : acTables)[slot] = buildHuffman(hexBytes(counts), hexBytes(symbols), isDC);
  }
  let restartInterval = 0;

  for (const [start, end] of segments) {
    const m = data[start + 1]!;
    const seg = data.subarray(start + 4, m === 0xda ? start + 2 + ((data[start + 2]! << 8) | data[start + 3]!) : end);
    if (m === 0xdb) {
      for (let o = 0; o < seg.length;) {
        const pq = seg[o]! >> 4, tq = seg[o]! & 15;
        o++;
        if (tq > 3 || pq > 1) throw new JpegFormatError('bogus DQT index');
        const t = new Uint16Array(64);
        for (let k = 0; k < 64; k++) {
          if (o + (pq ? 2 : 1) > seg.length) throw new JpegFormatError('truncated DQT');
          t[NATURAL[k]!] = pq ? (seg[o]! << 8) | seg[o + 1]! : seg[o]!;
          o += pq ? 2 : 1;
        }
        quantTables[tq] = t;
      }
    } else if (m === 0xc4) {
      for (let o = 0; o < seg.length;) {
        if (o + 17 > seg.length) throw new JpegFormatError('truncated DHT');
        const tc = seg[o]! >> 4, th = seg[o]! & 15;
        const counts = seg.subarray(o + 1, o + 17);
        let n = 0;
        for (const c of counts) n += c;
        if (tc > 1 || th > 3 || n > 256 || o + 17 + n > seg.length) throw new JpegFormatError('bogus Huffman table definition');
        const t = buildHuffman(counts, seg.slice(o + 17, o + 17 + n), tc === 0);
        (tc === 0 ? dcTables : acTables)[th] = t;
        o += 17 + n;
      }
    } else if (m === 0xdd) {
      if (seg.length < 2) throw new JpegFormatError('truncated DRI');
      restartInterval = (seg[0]! << 8) | seg[1]!;
    } else if (m === 0xda) {
      const hdrEnd = start + 2 + ((data[start + 2]! << 8) | data[start + 3]!);
      decodeScan(seg, hdrEnd);
    }
  }
  for (let i = 0; i < comps.length; i++) if (quant[i] === undefined) throw new JpegStreamError(`component ${comps[i]!.id} has no scan`);
  return { coefs, blocksW, blocksH, quant: quant as Uint16Array[] };

  function decodeScan(hdr: Uint8Array, dataStart: number): void {
    const ns = hdr[0]!;
    const scomp: number[] = [];
    const dcT: Array<HuffTable | undefined> = [];
    const acT: Array<HuffTable | undefined> = [];
    for (let i = 0; i < ns; i++) {
      const id = hdr[1 + 2 * i]!;
      const ci = comps.findIndex((c) => c.id === id);
      if (ci < 0 || scomp.includes(ci)) throw new JpegFormatError(`scan references unknown or repeated component ${id}`);
      scomp.push(ci);
      dcT.push(dcTables[hdr[2 + 2 * i]! >> 4]);
      acT.push(acTables[hdr[2 + 2 * i]! & 15]);
    }
    const ss = hdr[1 + 2 * ns]!, se = hdr[2 + 2 * ns]!;
    const ah = hdr[3 + 2 * ns]! >> 4, al = hdr[3 + 2 * ns]! & 15;
    // A sequential scan with other Ss/Se/Ah/Al only draws a warning in libjpeg (JWRN_NOT_SEQUENTIAL), which then
    // decodes it as a full sequential scan: the parameters are ignored below for non-progressive frames.
    for (const ci of scomp) {
      // libjpeg latches each component's quantization table at the start of its first scan
      if (quant[ci] === undefined) {
        const q = quantTables[comps[ci]!.tq];
        if (q === undefined) throw new JpegFormatError(`quantization table ${comps[ci]!.tq} is not defined`);
        quant[ci] = q;
      }
    }
    const needDC = ss === 0 && ah === 0;
    const needAC = se > 0;
    scomp.forEach((_, k) => {
      if (needDC && dcT[k] === undefined) throw new JpegFormatError('scan uses an undefined DC Huffman table');
      if (needAC && acT[k] === undefined) throw new JpegFormatError('scan uses an undefined AC Huffman table');
    });

    const r = new BitReader(data, dataStart);
    const pred = new Int32Array(ns);
    let eobrun = 0;

    const decodeBlock = (k: number, ci: number, off: number): void => {
      const c = coefs[ci]!;
      if (!frame.progressive) {
        const s = r.decode(dcT[k]!);
        pred[k] = pred[k]! + (s ? extend(r.receive(s), s) : 0);
        c[off] = pred[k]!;
        for (let z = 1; z < 64; z++) {
          const rs = r.decode(acT[k]!);
          const run = rs >> 4, size = rs & 15;
          if (size === 0) {
            if (run !== 15) break;
            z += 15;
            continue;
          }
          z += run;
          c[off + NATURAL[z]!] = extend(r.receive(size), size); // z <= 78 (NATURAL is padded)
        }
        return;
      }
      if (ss === 0) {
        if (ah === 0) {
          const s = r.decode(dcT[k]!);
          pred[k] = pred[k]! + (s ? extend(r.receive(s), s) : 0);
          c[off] = pred[k]! * (1 << al);
        } else if (r.bit()) {
          c[off] = c[off]! | (1 << al);
        }
        return;
      }
      if (ah === 0) {
        // AC first pass
        if (eobrun > 0) { eobrun--; return; }
        for (let z = ss; z <= se; z++) {
          const rs = r.decode(acT[k]!);
          const run = rs >> 4, size = rs & 15;
          if (size === 0) {
            if (run < 15) {
              eobrun = (1 << run) - 1 + (run ? r.receive(run) : 0);
              break;
            }
            z += 15;
            continue;
          }
          z += run;
          c[off + NATURAL[z]!] = extend(r.receive(size), size) * (1 << al);
        }
        return;
      }
      // AC refinement (jdphuff.c decode_mcu_AC_refine)
      const p1 = 1 << al, m1 = -1 << al;
      let z = ss;
      if (eobrun === 0) {
        for (; z <= se; z++) {
          const rs = r.decode(acT[k]!);
          let run = rs >> 4;
          const size = rs & 15;
          let value = 0;
          if (size) {
            value = r.bit() ? p1 : m1;
          } else if (run !== 15) {
            eobrun = (1 << run) + (run ? r.receive(run) : 0);
            break;
          }
          do {
            const pos = off + NATURAL[z]!;
            const cur = c[pos]!;
            if (cur !== 0) {
              if (r.bit() && (cur & p1) === 0) c[pos] = cur >= 0 ? cur + p1 : cur + m1;
            } else if (--run < 0) {
              break;
            }
            z++;
          } while (z <= se);
          if (size) c[off + NATURAL[z]!] = value; // z <= 64 here
        }
      }
      if (eobrun > 0) {
        for (; z <= se; z++) {
          const pos = off + NATURAL[z]!;
          const cur = c[pos]!;
          if (cur !== 0 && r.bit() && (cur & p1) === 0) c[pos] = cur >= 0 ? cur + p1 : cur + m1;
        }
        eobrun--;
      }
    };

    let units = 0; // MCUs (interleaved) or blocks (single component) decoded since the last restart
    let nextRst = 0;
    const checkRestart = (): void => {
      if (restartInterval > 0 && units === restartInterval) {
        r.restart(nextRst);
        nextRst = (nextRst + 1) & 7;
        units = 0;
        pred.fill(0);
        eobrun = 0;
      }
    };
    if (ns === 1) {
      // Non-interleaved: the component's own block raster, without MCU padding.
      const ci = scomp[0]!;
      const comp = comps[ci]!;
      const bw = Math.ceil(Math.ceil((frame.width * comp.h) / maxH) / 8);
      const bh = Math.ceil(Math.ceil((frame.height * comp.v) / maxV) / 8);
      for (let by = 0; by < bh; by++) {
        for (let bx = 0; bx < bw; bx++) {
          checkRestart();
          if (!r.insufficient) decodeBlock(0, ci, (by * blocksW[ci]! + bx) * 64);
          units++;
        }
      }
    } else {
      for (let my = 0; my < mcusY; my++) {
        for (let mx = 0; mx < mcusX; mx++) {
          checkRestart();
          if (r.insufficient) { units++; continue; } // libjpeg skips MCUs once the data ran out
          for (let k = 0; k < ns; k++) {
            const ci = scomp[k]!;
            const comp = comps[ci]!;
            for (let v = 0; v < comp.v; v++) {
              for (let h = 0; h < comp.h; h++) {
                decodeBlock(k, ci, ((my * comp.v + v) * blocksW[ci]! + mx * comp.h + h) * 64);
              }
            }
          }
          units++;
        }
      }
    }
  }
}
