// Byte-level BPE core of the CLIP tokenizer: the byte -> printable-symbol alphabet, merge ranks and the
// greedy lowest-rank merge loop, memoised per pre-token. Optimizes for readability; the cache makes it fast
// enough for prompts. Matches openai/CLIP clip/simple_tokenizer.py (bytes_to_unicode, SimpleTokenizer.bpe)
// and HF transformers models/clip/tokenization_clip.py (CLIPTokenizer.bpe), which are the same algorithm.

/** Suffix CLIP appends to the last symbol of every pre-token ("end of word"). */
export const END_OF_WORD = '</w>';

/**
 * The 256 byte symbols in CLIP's vocabulary order. Printable bytes (33-126, 161-172, 174-255) stand for
 * themselves; the 68 others (controls, space, 127-160, 173) are shifted to U+0100.. in increasing byte
 * order so every byte has a visible, non-whitespace symbol. Ids 0..255 are these symbols in THIS order
 * (not by byte value), which is why the list is built in two passes.
 */
export function byteSymbolsInVocabOrder(): { bytes: number[]; symbols: string[] } {
  const bytes: number[] = [];
  for (let b = 33; b <= 126; b++) bytes.push(b);
  for (let b = 161; b <= 172; b++) bytes.push(b);
  for (let b = 174; b <= 255; b++) bytes.push(b);
  const symbols = bytes.map((b) => String.fromCharCode(b));
  let shifted = 0;
  for (let b = 0; b < 256; b++) {
    if (bytes.includes(b)) continue;
    bytes.push(b);
    symbols.push(String.fromCharCode(256 + shifted));
    shifted++;
  }
  return { bytes, symbols };
}

/** byte value -> its one-character symbol (all symbols are single UTF-16 code units, < U+0144). */
export function byteToSymbolTable(): string[] {
  const { bytes, symbols } = byteSymbolsInVocabOrder();
  const table = new Array<string>(256);
  bytes.forEach((b, i) => (table[b] = symbols[i]!));
  return table;
}

/** A merge pair is keyed as "left right"; symbols never contain a space (space is byte-shifted). */
function pairKey(left: string, right: string): string {
  return `${left} ${right}`;
}

/**
 * Merge table plus the memoised merge loop. `ranks` maps "left right" to the merge's priority (lower merges
 * first); words the loop has seen are cached, as the upstream implementations do.
 */
export class BytePairMerger {
  private readonly ranks: Map<string, number>;
  private readonly cache = new Map<string, string[]>();
  /** Bounded so a long-running process that tokenizes arbitrary text does not grow without limit. */
  private static readonly MAX_CACHE = 100_000;

  constructor(merges: ReadonlyArray<readonly [string, string]>) {
    this.ranks = new Map();
    merges.forEach(([a, b], rank) => {
      const key = pairKey(a, b);
      // Upstream builds dict(zip(merges, range(...))), so a duplicated line keeps its LAST rank.
      this.ranks.set(key, rank);
    });
  }

  get size(): number {
    return this.ranks.size;
  }

  /**
   * Splits one byte-mapped pre-token into BPE symbols. The last character carries `</w>`; then the adjacent
   * pair with the lowest rank is merged everywhere (non-overlapping, left to right) until no pair is ranked.
   */
  merge(token: string): string[] {
    const hit = this.cache.get(token);
    if (hit !== undefined) return hit;
    let word: string[] = Array.from(token);
    if (word.length === 0) return [];
    word[word.length - 1] += END_OF_WORD;
    while (word.length > 1) {
      // Find the best-ranked adjacent pair.
      let bestRank = Infinity;
      let bestLeft = '';
      let bestRight = '';
      for (let i = 0; i + 1 < word.length; i++) {
        const r = this.ranks.get(pairKey(word[i]!, word[i + 1]!));
        if (r !== undefined && r < bestRank) {
          bestRank = r;
          bestLeft = word[i]!;
          bestRight = word[i + 1]!;
        }
      }
      if (bestRank === Infinity) break;
      // Merge every occurrence, scanning left to right so "a a a" with pair (a,a) gives "aa a".
      const next: string[] = [];
      for (let i = 0; i < word.length; ) {
        if (i + 1 < word.length && word[i] === bestLeft && word[i + 1] === bestRight) {
          next.push(bestLeft + bestRight);
          i += 2;
        } else {
          next.push(word[i]!);
          i += 1;
        }
      }
      word = next;
    }
    if (this.cache.size >= BytePairMerger.MAX_CACHE) this.cache.clear();
    this.cache.set(token, word);
    return word;
  }
}
