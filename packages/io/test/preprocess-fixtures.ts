// Test helpers for the preprocess/resize tests: load the copied PIL fixtures (test/data/preprocess) and
// compare uint8 / float32 buffers exactly, reporting the first difference and the count.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseSafetensors, type U8Image } from '@patchwise/io';

export const DATA = fileURLToPath(new URL('./data/preprocess/', import.meta.url));

export function dataPath(name: string): string {
  return DATA + name;
}

export interface Fixture {
  names: string[];
  u8(name: string): { shape: readonly number[]; data: Uint8Array };
  f32(name: string): { shape: readonly number[]; data: Float32Array };
}

export function loadFixture(file: string): Fixture {
  const st = parseSafetensors(readFileSync(dataPath(file)), file);
  return {
    names: st.names(),
    u8(name) {
      const info = st.info(name);
      if (info.dtype !== 'U8') throw new Error(`${file}:${name} is ${info.dtype}, expected U8`);
      return { shape: info.shape, data: st.rawSync(name) };
    },
    f32(name) {
      const info = st.info(name);
      if (info.dtype !== 'F32') throw new Error(`${file}:${name} is ${info.dtype}, expected F32`);
      const raw = st.rawSync(name); // fresh copy: its buffer is aligned
      return { shape: info.shape, data: new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4) };
    },
  };
}

/** An [H, W, C] U8 tensor as a U8Image. */
export function hwcImage(t: { shape: readonly number[]; data: Uint8Array }): U8Image {
  const [height, width, channels] = t.shape as [number, number, number];
  return { width, height, channels, data: t.data };
}

/** Replicates a 1-channel image to 3 channels (PIL convert('RGB') of mode L). */
export function grayToRgb(img: U8Image): U8Image {
  const data = new Uint8Array(img.width * img.height * 3);
  for (let i = 0; i < img.width * img.height; i++) data[3 * i] = data[3 * i + 1] = data[3 * i + 2] = img.data[i]!;
  return { width: img.width, height: img.height, channels: 3, data };
}

/** Number of differing elements, the first index that differs (-1 if none) and the max |difference|. */
export function compareExact(got: ArrayLike<number>, want: ArrayLike<number>): { count: number; first: number; max: number } {
  if (got.length !== want.length) return { count: Math.max(got.length, want.length), first: 0, max: Infinity };
  let count = 0, first = -1, max = 0;
  for (let i = 0; i < want.length; i++) {
    // Object.is: float32 comparisons are bit-level for our purposes (-0 vs +0 and NaN would show up).
    if (!Object.is(got[i], want[i])) {
      count++;
      if (first < 0) first = i;
      max = Math.max(max, Math.abs(got[i]! - want[i]!));
    }
  }
  return { count, first, max };
}
