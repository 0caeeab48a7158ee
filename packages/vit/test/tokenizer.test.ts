// CLIP BPE tokenizer against the 44 golden strings of fixtures/clip-tokenizer (ids from OpenAI's
// SimpleTokenizer + clip.tokenize, copied to test/data/tokenizer), through both vocabulary loaders and both
// padding conventions, plus Python-semantics unit cases for the normaliser.
import { describe, it, expect, beforeAll } from 'vitest';
import { readFileSync, mkdtempSync, copyFileSync, writeFileSync, rmSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ClipTokenizer, TokenizerError, loadClipTokenizer, clipTokenizerFromOpenAiBpeBytes, clipNormalize, htmlUnescape,
  fixTextLite,
} from '@patchwise/vit';

const DATA = join(import.meta.dirname, 'data', 'tokenizer');

interface Case {
  text: string;
  cleaned: string;
  input_ids: number[];
  input_ids_hf: number[];
  attention_mask: number[];
  num_tokens_untruncated: number;
  truncated: boolean;
  ftfy_changes_text: boolean;
  html_unescape_changes_text: boolean;
}
const fixture = JSON.parse(readFileSync(join(DATA, 'cases.json'), 'utf8')) as { cases: Case[] };
const cases = fixture.cases;

let fromGz: ClipTokenizer;
let fromHf: ClipTokenizer;

beforeAll(() => {
  fromGz = ClipTokenizer.fromOpenAiBpe(gunzipSync(readFileSync(join(DATA, 'bpe_simple_vocab_16e6.txt.gz'))).toString('utf8'));
  fromHf = ClipTokenizer.fromHfFiles(readFileSync(join(DATA, 'vocab.json'), 'utf8'), readFileSync(join(DATA, 'merges.txt'), 'utf8'));
});

const flag = (c: Case): string =>
  (c.ftfy_changes_text ? ' [ftfy]' : '') + (c.html_unescape_changes_text ? ' [html]' : '') + (c.truncated ? ' [truncated]' : '');

describe('CLIP tokenizer: 44 golden strings', () => {
  it('has the 44 cases, 9 ftfy-flagged and 1 html-flagged', () => {
    expect(cases.length).toBe(44);
    expect(cases.filter((c) => c.ftfy_changes_text).length).toBe(9);
    expect(cases.filter((c) => c.html_unescape_changes_text).length).toBe(1);
  });

  it.each(cases.map((c, i) => [i, JSON.stringify(c.text).slice(0, 50) + flag(c), c] as const))(
    'case %i %s: cleaned text and ids, both loaders, both paddings', (_i, _name, c) => {
      expect(clipNormalize(c.text)).toBe(c.cleaned);
      for (const tok of [fromGz, fromHf]) {
        const openai = tok.tokenizeToArrays(c.text, { padding: 'openai' });
        expect(openai.inputIds).toEqual([c.input_ids]);
        expect(openai.attentionMask).toEqual([c.attention_mask]);
        const hf = tok.tokenizeToArrays(c.text, { padding: 'hf' });
        expect(hf.inputIds).toEqual([c.input_ids_hf]);
        expect(hf.attentionMask).toEqual([c.attention_mask]);
        expect(tok.encode(c.text).length + 2).toBe(c.num_tokens_untruncated);
      }
    });

  it('batches all 44 into int32 tensors [44, 77]', () => {
    const { inputIds, attentionMask } = fromGz.tokenize(cases.map((c) => c.text));
    expect(inputIds.shape).toEqual([44, 77]);
    expect(inputIds.dtype).toBe('int32');
    expect(attentionMask.shape).toEqual([44, 77]);
    expect(Array.from(inputIds.toArray())).toEqual(cases.flatMap((c) => c.input_ids));
    expect(Array.from(attentionMask.toArray())).toEqual(cases.flatMap((c) => c.attention_mask));
    const hf = fromHf.tokenize(cases.map((c) => c.text)); // HF files default to HF padding
    expect(Array.from(hf.inputIds.toArray())).toEqual(cases.flatMap((c) => c.input_ids_hf));
  });

  it('the two vocabulary forms define the same tokenizer', () => {
    expect(fromGz.vocabSize).toBe(49408);
    expect(fromHf.vocabSize).toBe(49408);
    expect([fromGz.sotTokenId, fromGz.eotTokenId]).toEqual([49406, 49407]);
    expect(fromGz.defaultPadding).toBe('openai');
    expect(fromHf.defaultPadding).toBe('hf');
  });
});

describe('CLIP tokenizer: options', () => {
  it('truncation keeps EOT at position 76; truncate=false throws', () => {
    const long = cases.find((c) => c.truncated)!;
    const ids = fromGz.tokenizeToArrays(long.text).inputIds[0]!;
    expect(ids.length).toBe(77);
    expect(ids[76]).toBe(49407);
    expect(() => fromGz.tokenizeToArrays(long.text, { truncate: false })).toThrow(TokenizerError);
    expect(() => fromGz.tokenizeToArrays(long.text, { truncate: false })).toThrow(/more than contextLength 77/);
  });

  it("padTo 'longest' pads to the longest row only", () => {
    // "a photo of a cat" -> SOT a photo of a cat EOT = 7 ids; "x" -> SOT x EOT = 3 ids
    const r = fromGz.tokenizeToArrays(['a photo of a cat', 'x'], { padTo: 'longest', padding: 'hf' });
    expect(r.inputIds.map((row) => row.length)).toEqual([7, 7]);
    expect(r.inputIds[1]!.slice(3)).toEqual([49407, 49407, 49407, 49407]);
    expect(r.attentionMask[1]).toEqual([1, 1, 1, 0, 0, 0, 0]);
  });

  it('a custom contextLength cuts and pads to that length', () => {
    const r = fromGz.tokenizeToArrays('a photo of a cat', { contextLength: 4 });
    // SOT a photo of | EOT replaces "of": [49406, a, photo, 49407]
    expect(r.inputIds[0]!.length).toBe(4);
    expect(r.inputIds[0]![0]).toBe(49406);
    expect(r.inputIds[0]![3]).toBe(49407);
    expect(r.inputIds[0]!.slice(1, 3)).toEqual(cases[0]!.input_ids.slice(1, 3));
  });

  it('decode inverts encode up to normalisation', () => {
    expect(fromGz.decode(fromGz.encode('A Photo Of A CAT'))).toBe('a photo of a cat');
    expect(fromHf.decode(fromHf.encode('café naïve 😀 12'))).toBe('café naïve 😀 1 2');
  });
});

describe('CLIP tokenizer: loaders', () => {
  it('loadClipTokenizer finds vocab.json + merges.txt, and the .gz when alone', async () => {
    const hf = await loadClipTokenizer(DATA); // folder has both forms: HF files win
    expect(hf.defaultPadding).toBe('hf');
    expect(hf.tokenizeToArrays(cases[3]!.text).inputIds[0]).toEqual(cases[3]!.input_ids_hf);
    const dir = mkdtempSync(join(tmpdir(), 'pw-tok-'));
    try {
      copyFileSync(join(DATA, 'bpe_simple_vocab_16e6.txt.gz'), join(dir, 'bpe_simple_vocab_16e6.txt.gz'));
      const gz = await loadClipTokenizer(dir);
      expect(gz.defaultPadding).toBe('openai');
      expect(gz.tokenizeToArrays(cases[3]!.text).inputIds[0]).toEqual(cases[3]!.input_ids);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads pad_token from special_tokens_map.json ("!" = id 0 as in LAION checkpoints)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pw-tok-'));
    try {
      copyFileSync(join(DATA, 'vocab.json'), join(dir, 'vocab.json'));
      copyFileSync(join(DATA, 'merges.txt'), join(dir, 'merges.txt'));
      writeFileSync(join(dir, 'special_tokens_map.json'), JSON.stringify({ pad_token: { content: '!' } }));
      const tok = await loadClipTokenizer(dir);
      expect(tok.hfPadTokenId).toBe(0);
      expect(tok.tokenizeToArrays('x', { padding: 'hf' }).inputIds[0]).toEqual(cases[40]!.input_ids);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a folder without tokenizer files fails clearly', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pw-tok-'));
    try {
      await expect(loadClipTokenizer(dir)).rejects.toThrow(/expected a CLIP tokenizer \(vocab.json \+ merges.txt/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('gz bytes via DecompressionStream (the browser path)', async () => {
    const tok = await clipTokenizerFromOpenAiBpeBytes(new Uint8Array(readFileSync(join(DATA, 'bpe_simple_vocab_16e6.txt.gz'))));
    expect(tok.tokenizeToArrays(cases[8]!.text).inputIds[0]).toEqual(cases[8]!.input_ids);
  });

  it('rejects broken vocabulary files with named errors', () => {
    expect(() => ClipTokenizer.fromOpenAiBpe('\x1f\x8b garbage')).toThrow(/expected a '#version' header/);
    expect(() => ClipTokenizer.fromHfFiles('{"a": 0}', '#version: 0.2\na b\n')).toThrow(/expected special tokens <\|startoftext\|>/);
    expect(() => ClipTokenizer.fromHfFiles('[1]', '')).toThrow(/expected an object of token -> id, found an array/);
    expect(() => ClipTokenizer.fromHfFiles('{"<|startoftext|>": 0, "<|endoftext|>": 1}', '#version: 0.2\nabc\n'))
      .toThrow(/merges.txt line 2: expected two space-separated symbols/);
  });
});

describe('normaliser: Python semantics', () => {
  it('html.unescape as CPython 3.11 does (values checked with python3 -c "import html; ...")', () => {
    expect(htmlUnescape('&amp')).toBe('&'); // legacy name without ';'
    expect(htmlUnescape('&notit;')).toBe('\u00acit;'); // longest legacy prefix "not"
    expect(htmlUnescape('&#128;')).toBe('\u20ac'); // 0x80 read as Windows-1252
    expect(htmlUnescape('&#0;')).toBe('\ufffd');
    expect(htmlUnescape('&#x110000;')).toBe('\ufffd');
    expect(htmlUnescape('&#1;')).toBe(''); // invalid code point dropped
    expect(htmlUnescape('&bogus;')).toBe('&bogus;');
    expect(htmlUnescape('&amp;amp;')).toBe('&amp;');
    expect(htmlUnescape('&#65')).toBe('A');
    expect(htmlUnescape('&#x41;b')).toBe('Ab');
    expect(htmlUnescape('&lt&gt')).toBe('<>');
    expect(htmlUnescape('&EACUTE;')).toBe('&EACUTE;');
    expect(htmlUnescape('&copy2024')).toBe('\u00a92024');
  });

  it('ftfy subset: mojibake, quotes, widths, ligatures, entities', () => {
    expect(fixTextLite('â€™')).toBe("'"); // UTF-8 of U+2019 read as cp1252, then uncurled
    expect(fixTextLite('schÃ¶n')).toBe('schön');
    expect(fixTextLite('&EACUTE;')).toBe('\u00c9'); // ftfy also unescapes upper-cased names
    expect(fixTextLite('<p>&amp;</p>')).toBe('<p>&amp;</p>'); // looks like HTML: ftfy leaves entities
    expect(fixTextLite('\u3000ＡＢ１')).toBe(' AB1');
    expect(fixTextLite('\ufb03x')).toBe('ffix');
    expect(fixTextLite('a\r\nb\rc\u2028d')).toBe('a\nb\nc\nd');
    expect(fixTextLite('\x1b[31mred\x1b[0m\x00')).toBe('red');
    expect(fixTextLite('e\u0301')).toBe('\u00e9');
    expect(fixTextLite('caf\u00e9 na\u00efve \u00dc')).toBe('caf\u00e9 na\u00efve \u00dc'); // correct text is left alone
  });

  it('whitespace is Python\'s isspace set (U+200B and U+FEFF are not spaces; NBSP, U+2009, U+205F are)', () => {
    expect(clipNormalize('a\u200bb')).toBe('a\u200bb');
    expect(clipNormalize('a\u00a0b\u2009c\u205fd ')).toBe('a b c d');
    // ftfy drops U+FEFF and U+001F as control characters before whitespace is collapsed
    expect(clipNormalize('a\ufeffb\x1fc')).toBe('abc');
  });
});
