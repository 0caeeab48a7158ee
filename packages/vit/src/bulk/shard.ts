// Deterministic sharding for `--shard i/n`: an image belongs to shard fnv1a32(key) mod n, where key is its
// normalised path relative to the input (the directory or glob base, or the line of the list file). Optimized
// for machines that see the same folder: the assignment of an image depends only on its own relative path, not
// on the listing order, the mount point or the other files, so it is identical on every machine and stable
// when files are added. Rejected alternative: sorted index mod n balances exactly but moves every later image
// to another shard when one file is added, which breaks resuming. FNV-1a: http://www.isthe.com/chongo/tech/comp/fnv/

import { BulkError } from './errors.js';

export interface Shard {
  /** 0-based shard number, < count. */
  readonly index: number;
  readonly count: number;
}

/** The whole input as one shard. */
export const ALL: Shard = { index: 0, count: 1 };

/** Parses `i/n` (0 <= i < n); both must be plain decimal integers. */
export function parseShard(spec: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(spec.trim());
  if (!m) throw new BulkError('usage', `--shard expects i/n with 0 <= i < n (e.g. 0/3), got '${spec}'`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (!Number.isSafeInteger(count) || count < 1) throw new BulkError('usage', `--shard ${spec}: the shard count n must be >= 1, got ${m[2]}`);
  if (index >= count) throw new BulkError('usage', `--shard ${spec}: the shard index must be in 0..${count - 1}, got ${index}`);
  return { index, count };
}

export function formatShard(s: Shard): string {
  return `${s.index}/${s.count}`;
}

/** 32-bit FNV-1a over the UTF-8 bytes of `s`. */
export function fnv1a32(s: string): number {
  let h = 0x811c9dc5; // offset basis
  for (const byte of new TextEncoder().encode(s)) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0; // FNV prime, modulo 2^32
  }
  return h >>> 0;
}

/** The shard an input key belongs to among `count`. */
export function shardOf(key: string, count: number): number {
  return count === 1 ? 0 : fnv1a32(key) % count;
}
