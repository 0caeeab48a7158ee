// ClipTokenizer: text -> CLIP token ids, with SOT/EOT, truncation to the context length and both padding
// conventions (0 as OpenAI pads, <|endoftext|> as HF pads). Pure and synchronous over strings (browser-safe).
// Matches openai/CLIP clip/simple_tokenizer.py + clip/clip.py tokenize() and HF
// transformers models/clip/tokenization_clip.py (vocab.json + merges.txt layout).
import { intTensor, type Tensor } from '@patchwise/tensor';
import { BytePairMerger, byteSymbolsInVocabOrder, byteToSymbolTable, END_OF_WORD } from './bpe.js';
import { clipNormalize } from './tokenizer-normalize.js';

export const SOT_TOKEN = '<|startoftext|>';
export const EOT_TOKEN = '<|endoftext|>';
/** CLIP's context length (text position embeddings). */
export const CLIP_CONTEXT_LENGTH = 77;
/** Both upstream loaders use merges lines 1 .. 49152-256-2 (line 0 is the "#version" header). */
export const CLIP_NUM_MERGES = 49152 - 256 - 2;

/** A vocabulary file that does not parse, an unknown symbol, or a text too long with truncate=false. */
export class TokenizerError extends Error {
  override readonly name = 'TokenizerError';
  constructor(message: string) {
    super(message);
  }
}

/** 'openai': pad with 0 (clip.tokenize). 'hf': pad with the pad token, <|endoftext|> for OpenAI checkpoints. */
export type PaddingConvention = 'openai' | 'hf';

export interface TokenizeOptions {
  /** Maximum length including SOT and EOT; default 77. */
  contextLength?: number;
  /** Pad value convention; default: the tokenizer's (openai for the .gz file, hf for HF files). */
  padding?: PaddingConvention;
  /** 'context' pads every row to contextLength (as CLIP needs); 'longest' to the longest row of the batch. */
  padTo?: 'context' | 'longest';
  /** Cut over-long texts to contextLength keeping EOT last (default true); false throws TokenizerError. */
  truncate?: boolean;
}

export interface TokenizedArrays {
  inputIds: number[][];
  attentionMask: number[][];
}

export interface TokenizedTensors {
  /** [N, L] int32 */
  inputIds: Tensor<'int32'>;
  /** [N, L] int32, 1 for SOT..EOT, 0 for padding */
  attentionMask: Tensor<'int32'>;
}

export interface ClipTokenizerInit {
  /** token string -> id */
  vocab: ReadonlyMap<string, number>;
  /** merges in rank order */
  merges: ReadonlyArray<readonly [string, string]>;
  /** pad id used by the 'hf' convention; default the EOT id */
  hfPadTokenId?: number;
  /** convention used when tokenize() is not told; default 'openai' */
  defaultPadding?: PaddingConvention;
  /** where the vocabulary came from, for error messages */
  source?: string;
}

/**
 * Pre-tokenisation (case-insensitive): the two special tokens, English clitics, letter runs, single digits,
 * and runs of anything else that is not whitespace. `\p{White_Space}` is what the `regex` module's `\s` is.
 */
const PRETOKEN_RE =
  /<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\p{White_Space}\p{L}\p{N}]+/giu;

export class ClipTokenizer {
  readonly sotTokenId: number;
  readonly eotTokenId: number;
  readonly hfPadTokenId: number;
  readonly defaultPadding: PaddingConvention;
  readonly vocabSize: number;
  private readonly vocab: ReadonlyMap<string, number>;
  private readonly idToToken: string[];
  private readonly merger: BytePairMerger;
  private readonly byteToSymbol = byteToSymbolTable();
  private readonly symbolToByte: Map<string, number>;
  private readonly utf8 = new TextEncoder();
  private readonly source: string;

  constructor(init: ClipTokenizerInit) {
    this.source = init.source ?? 'vocabulary';
    this.vocab = init.vocab;
    const sot = init.vocab.get(SOT_TOKEN);
    const eot = init.vocab.get(EOT_TOKEN);
    if (sot === undefined || eot === undefined) {
      throw new TokenizerError(`${this.source}: expected special tokens ${SOT_TOKEN} and ${EOT_TOKEN} in the vocabulary, ` +
        `found ${sot === undefined ? 'no ' + SOT_TOKEN : ''}${sot === undefined && eot === undefined ? ' and ' : ''}${eot === undefined ? 'no ' + EOT_TOKEN : ''}`);
    }
    this.sotTokenId = sot;
    this.eotTokenId = eot;
    this.hfPadTokenId = init.hfPadTokenId ?? eot;
    this.defaultPadding = init.defaultPadding ?? 'openai';
    this.merger = new BytePairMerger(init.merges);
    this.idToToken = [];
    for (const [tok, id] of init.vocab) this.idToToken[id] = tok;
    this.vocabSize = this.idToToken.length;
    this.symbolToByte = new Map(this.byteToSymbol.map((s, b) => [s, b] as [string, number]));
  }

  /**
   * From HF `vocab.json` (text or parsed object) and `merges.txt` (text). Like CLIPTokenizer, the first
   * line ("#version: 0.2") is skipped and at most 48,894 merges are read.
   */
  static fromHfFiles(vocabJson: string | Readonly<Record<string, number>>, mergesTxt: string,
    opts: { hfPadTokenId?: number; defaultPadding?: PaddingConvention } = {}): ClipTokenizer {
    let obj: unknown = vocabJson;
    if (typeof vocabJson === 'string') {
      try {
        obj = JSON.parse(vocabJson);
      } catch (e) {
        throw new TokenizerError(`vocab.json: expected a JSON object of token -> id, found unparsable JSON (${(e as Error).message})`);
      }
    }
    const vocab = vocabFromObject(obj, 'vocab.json');
    const lines = mergesTxt.split(/\r?\n/);
    const body = lines[0]?.startsWith('#version') ? lines.slice(1) : lines;
    const merges = parseMergeLines(body.slice(0, CLIP_NUM_MERGES), 'merges.txt', 2);
    return new ClipTokenizer({ vocab, merges, hfPadTokenId: opts.hfPadTokenId, defaultPadding: opts.defaultPadding ?? 'hf', source: 'vocab.json/merges.txt' });
  }

  /** From an HF fast-tokenizer `tokenizer.json` (model.vocab + model.merges, as strings or pairs). */
  static fromHfTokenizerJson(tokenizerJson: string | object,
    opts: { hfPadTokenId?: number; defaultPadding?: PaddingConvention } = {}): ClipTokenizer {
    const root = (typeof tokenizerJson === 'string' ? JSON.parse(tokenizerJson) : tokenizerJson) as { model?: { vocab?: unknown; merges?: unknown } };
    const model = root.model;
    if (model === undefined || !Array.isArray(model.merges)) {
      throw new TokenizerError('tokenizer.json: expected model.vocab (object) and model.merges (array), found neither');
    }
    const vocab = vocabFromObject(model.vocab, 'tokenizer.json model.vocab');
    const merges: Array<[string, string]> = [];
    for (const [i, m] of (model.merges as unknown[]).entries()) {
      if (Array.isArray(m) && m.length === 2 && typeof m[0] === 'string' && typeof m[1] === 'string') merges.push([m[0], m[1]]);
      else if (typeof m === 'string') merges.push(...parseMergeLines([m], 'tokenizer.json model.merges', i));
      else throw new TokenizerError(`tokenizer.json model.merges[${i}]: expected "a b" or ["a", "b"], found ${JSON.stringify(m)}`);
    }
    return new ClipTokenizer({ vocab, merges, hfPadTokenId: opts.hfPadTokenId, defaultPadding: opts.defaultPadding ?? 'hf', source: 'tokenizer.json' });
  }

  /**
   * From the DECOMPRESSED text of OpenAI's bpe_simple_vocab_16e6.txt.gz. The vocabulary is built as
   * SimpleTokenizer does: 256 byte symbols, the same with `</w>`, one token per merge, SOT, EOT.
   */
  static fromOpenAiBpe(bpeText: string, opts: { defaultPadding?: PaddingConvention } = {}): ClipTokenizer {
    const lines = bpeText.split('\n');
    if (!lines[0]?.startsWith('"bpe_simple_vocab_16e6') && !lines[0]?.startsWith('#')) {
      // The real file's first line is a header ('"bpe_simple_vocab_16e6.txt#version: 0.2'); anything else
      // (for example still-gzipped bytes read as text) would silently shift every merge rank.
      throw new TokenizerError(`bpe_simple_vocab_16e6.txt: expected a '#version' header line, found ${JSON.stringify(lines[0]?.slice(0, 40))}`);
    }
    const merges = parseMergeLines(lines.slice(1, 1 + CLIP_NUM_MERGES), 'bpe_simple_vocab_16e6.txt', 2);
    if (merges.length !== CLIP_NUM_MERGES) {
      throw new TokenizerError(`bpe_simple_vocab_16e6.txt: expected at least ${CLIP_NUM_MERGES} merge lines, found ${merges.length}`);
    }
    const { symbols } = byteSymbolsInVocabOrder();
    const tokens = [...symbols, ...symbols.map((s) => s + END_OF_WORD), ...merges.map(([a, b]) => a + b), SOT_TOKEN, EOT_TOKEN];
    const vocab = new Map<string, number>();
    tokens.forEach((t, i) => vocab.set(t, i)); // a repeated token keeps its last id, as dict(zip(...)) does
    return new ClipTokenizer({ vocab, merges, defaultPadding: opts.defaultPadding ?? 'openai', source: 'bpe_simple_vocab_16e6.txt' });
  }

  /** Token ids of one text, without SOT/EOT (SimpleTokenizer.encode). */
  encode(text: string): number[] {
    const ids: number[] = [];
    const cleaned = clipNormalize(text);
    for (const m of cleaned.matchAll(PRETOKEN_RE)) {
      const piece = m[0];
      if (piece === SOT_TOKEN) { ids.push(this.sotTokenId); continue; }
      if (piece === EOT_TOKEN) { ids.push(this.eotTokenId); continue; }
      let mapped = '';
      for (const b of this.utf8.encode(piece)) mapped += this.byteToSymbol[b]!;
      for (const sym of this.merger.merge(mapped)) {
        const id = this.vocab.get(sym);
        if (id === undefined) {
          throw new TokenizerError(`${this.source}: BPE symbol ${JSON.stringify(sym)} (from ${JSON.stringify(piece)}) is not in the vocabulary; vocabulary and merges do not belong together`);
        }
        ids.push(id);
      }
    }
    return ids;
  }

  /** Ids -> text: symbols joined, `</w>` as a space, bytes decoded as UTF-8 (SimpleTokenizer.decode). */
  decode(ids: readonly number[], skipSpecial = true): string {
    let symbols = '';
    for (const id of ids) {
      if (skipSpecial && (id === this.sotTokenId || id === this.eotTokenId)) continue;
      const tok = this.idToToken[id];
      if (tok === undefined) throw new TokenizerError(`decode: id ${id} is outside the vocabulary (size ${this.vocabSize})`);
      symbols += tok;
    }
    const parts = symbols.split(END_OF_WORD);
    const bytes: number[] = [];
    const out: string[] = [];
    const dec = new TextDecoder('utf-8');
    for (const part of parts) {
      bytes.length = 0;
      for (const ch of part) {
        const b = this.symbolToByte.get(ch);
        if (b === undefined) { bytes.push(...this.utf8.encode(ch)); continue; } // special tokens
        bytes.push(b);
      }
      out.push(dec.decode(Uint8Array.from(bytes)));
    }
    return out.join(' ').trimEnd();
  }

  /** Rows of SOT + ids + EOT, cut and padded, with masks (clip.tokenize / CLIPTokenizer(padding=max_length)). */
  tokenizeToArrays(texts: string | readonly string[], opts: TokenizeOptions = {}): TokenizedArrays {
    const list = typeof texts === 'string' ? [texts] : texts;
    const contextLength = opts.contextLength ?? CLIP_CONTEXT_LENGTH;
    if (!Number.isInteger(contextLength) || contextLength < 2) {
      throw new TokenizerError(`tokenize: contextLength must be an integer >= 2 (room for SOT and EOT), found ${contextLength}`);
    }
    const truncate = opts.truncate ?? true;
    const padding = opts.padding ?? this.defaultPadding;
    const padId = padding === 'openai' ? 0 : this.hfPadTokenId;
    const rows = list.map((text, i) => {
      const ids = [this.sotTokenId, ...this.encode(text), this.eotTokenId];
      if (ids.length > contextLength) {
        if (!truncate) {
          throw new TokenizerError(`tokenize: text ${i} has ${ids.length} tokens with SOT/EOT, more than contextLength ${contextLength} (pass truncate: true to cut it)`);
        }
        ids.length = contextLength;
        ids[contextLength - 1] = this.eotTokenId; // the text tower pools at EOT, so it must survive the cut
      }
      return ids;
    });
    const width = (opts.padTo ?? 'context') === 'longest' ? Math.max(0, ...rows.map((r) => r.length)) : contextLength;
    const inputIds = rows.map((r) => [...r, ...new Array<number>(width - r.length).fill(padId)]);
    const attentionMask = rows.map((r) => [...new Array<number>(r.length).fill(1), ...new Array<number>(width - r.length).fill(0)]);
    return { inputIds, attentionMask };
  }

  /** As tokenizeToArrays, as int32 tensors [N, L]. */
  tokenize(texts: string | readonly string[], opts: TokenizeOptions = {}): TokenizedTensors {
    const { inputIds, attentionMask } = this.tokenizeToArrays(texts, opts);
    const n = inputIds.length;
    const l = n === 0 ? (opts.padTo === 'longest' ? 0 : opts.contextLength ?? CLIP_CONTEXT_LENGTH) : inputIds[0]!.length;
    return {
      inputIds: intTensor(Int32Array.from(inputIds.flat()), [n, l]),
      attentionMask: intTensor(Int32Array.from(attentionMask.flat()), [n, l]),
    };
  }
}

function vocabFromObject(obj: unknown, what: string): Map<string, number> {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
    throw new TokenizerError(`${what}: expected an object of token -> id, found ${Array.isArray(obj) ? 'an array' : typeof obj}`);
  }
  const vocab = new Map<string, number>();
  for (const [tok, id] of Object.entries(obj as Record<string, unknown>)) {
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0) {
      throw new TokenizerError(`${what}: expected a non-negative integer id for token ${JSON.stringify(tok)}, found ${JSON.stringify(id)}`);
    }
    vocab.set(tok, id);
  }
  return vocab;
}

/** "a b" lines -> pairs; blank trailing lines are ignored, anything else malformed is an error. */
function parseMergeLines(lines: readonly string[], what: string, firstLineNo: number): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  lines.forEach((line, i) => {
    if (line === '') return;
    const parts = line.split(' ');
    if (parts.length !== 2 || parts[0] === '' || parts[1] === '') {
      throw new TokenizerError(`${what} line ${firstLineNo + i}: expected two space-separated symbols, found ${JSON.stringify(line.slice(0, 60))}`);
    }
    out.push([parts[0]!, parts[1]!]);
  });
  return out;
}
