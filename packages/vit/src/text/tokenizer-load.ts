// Loading a ClipTokenizer from bytes and from a model folder: gzip'd OpenAI BPE via DecompressionStream
// (browsers, Node >= 18) and loadClipTokenizer(dir) for Node (node:fs / node:zlib imported lazily so this
// module stays importable in a browser). Folder layout as HF CLIPTokenizer / CLIPTokenizerFast and open_clip.
import { ClipTokenizer, TokenizerError, type PaddingConvention } from './tokenizer.js';

/** From the bytes of bpe_simple_vocab_16e6.txt.gz (or already-decompressed bytes), via DecompressionStream. */
export async function clipTokenizerFromOpenAiBpeBytes(bytes: Uint8Array): Promise<ClipTokenizer> {
  return ClipTokenizer.fromOpenAiBpe(await gunzipToText(bytes, 'bpe_simple_vocab_16e6.txt.gz'));
}

function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

async function gunzipToText(bytes: Uint8Array, what: string): Promise<string> {
  if (!isGzip(bytes)) return new TextDecoder('utf-8').decode(bytes);
  const DS = (globalThis as { DecompressionStream?: typeof DecompressionStream }).DecompressionStream;
  if (DS === undefined) throw new TokenizerError(`${what}: gzip data but this runtime has no DecompressionStream; pass decompressed text to ClipTokenizer.fromOpenAiBpe`);
  const stream = new Blob([bytes]).stream().pipeThrough(new DS('gzip'));
  return await new Response(stream).text();
}

export interface LoadClipTokenizerOptions {
  /** Override the padding convention found in the folder (special_tokens_map.json / tokenizer_config.json). */
  defaultPadding?: PaddingConvention;
}

/**
 * Finds a CLIP tokenizer in a model folder (Node only). Tried in order: vocab.json + merges.txt (HF slow
 * layout), tokenizer.json (HF fast layout), bpe_simple_vocab_16e6.txt.gz or .txt (OpenAI / open_clip). The
 * HF pad token is read from special_tokens_map.json or tokenizer_config.json when present (OpenAI
 * checkpoints: <|endoftext|> = 49407; some LAION ones use "!" = 0).
 */
export async function loadClipTokenizer(dir: string, opts: LoadClipTokenizerOptions = {}): Promise<ClipTokenizer> {
  const fs = await import('node:fs/promises');
  const path = await import('node:path');
  const readText = async (name: string): Promise<string | undefined> => {
    try {
      return await fs.readFile(path.join(dir, name), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  };

  const padName = padTokenName(await readText('special_tokens_map.json')) ?? padTokenName(await readText('tokenizer_config.json'));

  const vocabJson = await readText('vocab.json');
  const mergesTxt = await readText('merges.txt');
  if (vocabJson !== undefined && mergesTxt !== undefined) {
    const vocabObj = JSON.parse(vocabJson) as Record<string, number>;
    const hfPadTokenId = padName !== undefined ? lookupPad(vocabObj, padName, dir) : undefined;
    return ClipTokenizer.fromHfFiles(vocabObj, mergesTxt, { hfPadTokenId, defaultPadding: opts.defaultPadding });
  }
  const tokenizerJson = await readText('tokenizer.json');
  if (tokenizerJson !== undefined) {
    const parsed = JSON.parse(tokenizerJson) as { model?: { vocab?: Record<string, number> } };
    const hfPadTokenId = padName !== undefined && parsed.model?.vocab ? lookupPad(parsed.model.vocab, padName, dir) : undefined;
    return ClipTokenizer.fromHfTokenizerJson(parsed, { hfPadTokenId, defaultPadding: opts.defaultPadding });
  }
  for (const name of ['bpe_simple_vocab_16e6.txt.gz', 'bpe_simple_vocab_16e6.txt']) {
    let bytes: Buffer;
    try {
      bytes = await fs.readFile(path.join(dir, name));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw e;
    }
    const zlib = await import('node:zlib');
    const text = isGzip(bytes) ? zlib.gunzipSync(bytes).toString('utf8') : bytes.toString('utf8');
    return ClipTokenizer.fromOpenAiBpe(text, { defaultPadding: opts.defaultPadding });
  }
  throw new TokenizerError(`${dir}: expected a CLIP tokenizer (vocab.json + merges.txt, tokenizer.json, or bpe_simple_vocab_16e6.txt.gz), found none`);
}

function lookupPad(vocab: Readonly<Record<string, number>>, padName: string, dir: string): number {
  const id = vocab[padName];
  if (typeof id !== 'number') throw new TokenizerError(`${dir}: pad_token ${JSON.stringify(padName)} is not in the vocabulary`);
  return id;
}

/** pad_token from special_tokens_map.json / tokenizer_config.json: a string or {"content": string}. */
function padTokenName(json: string | undefined): string | undefined {
  if (json === undefined) return undefined;
  let obj: unknown;
  try {
    obj = JSON.parse(json);
  } catch {
    return undefined; // a broken side file must not block tokenizing; the default pad (EOT) applies
  }
  const pad = (obj as { pad_token?: unknown } | null)?.pad_token;
  if (typeof pad === 'string') return pad;
  if (pad !== null && typeof pad === 'object' && typeof (pad as { content?: unknown }).content === 'string') {
    return (pad as { content: string }).content;
  }
  return undefined;
}
