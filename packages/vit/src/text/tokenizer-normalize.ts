// Text clean-up CLIP applies before BPE: a subset of ftfy.fix_text, Python's html.unescape (twice), Python
// whitespace collapsing and lower-casing. Optimizes for matching Python's character classes exactly.
// Matches openai/CLIP clip/simple_tokenizer.py (basic_clean, whitespace_clean), CPython Lib/html/__init__.py
// (unescape) and ftfy 6.3 (fix_text: fix steps and their order, chardata tables) where noted below.
import { HTML5_ENTITIES_PACKED } from './tokenizer-html-entities.js';

/**
 * Characters for which Python's str.isspace() is true, which is what `re` `\s` and str.strip() use on str.
 * JS `\s` differs (it has U+FEFF but lacks U+001C-001F and U+0085), so we spell the class out.
 */
const PY_SPACE = '\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const PY_SPACE_RUN = new RegExp(`[${PY_SPACE}]+`, 'g');
const PY_SPACE_LEAD = new RegExp(`^[${PY_SPACE}]+`);
const PY_SPACE_TRAIL = new RegExp(`[${PY_SPACE}]+$`);

/** Python's str.strip() with no argument. */
export function pyStrip(text: string): string {
  return text.replace(PY_SPACE_LEAD, '').replace(PY_SPACE_TRAIL, '');
}

/** simple_tokenizer.whitespace_clean: every `\s+` run to one space, then strip. */
export function whitespaceClean(text: string): string {
  return pyStrip(text.replace(PY_SPACE_RUN, ' '));
}

// ---------------------------------------------------------------------------------------------------------
// html.unescape, as CPython implements it (HTML5 rules: named references with and without ';', longest
// legacy prefix, numeric references with the Windows-1252 fix-ups and the invalid code point rules).

let html5Table: Map<string, string> | undefined;

/** name (without '&', with ';' where the table has it) -> replacement text; parsed on first use. */
export function html5Entities(): Map<string, string> {
  if (html5Table !== undefined) return html5Table;
  const table = new Map<string, string>();
  for (const entry of HTML5_ENTITIES_PACKED.split(' ')) {
    if (entry === '') continue;
    const eq = entry.indexOf('=');
    const cps = entry.slice(eq + 1).split(',').map((h) => parseInt(h, 16));
    table.set(entry.slice(0, eq), String.fromCodePoint(...cps));
  }
  html5Table = table;
  return table;
}

/** Numeric references 0x80-0x9F are read as Windows-1252 (HTML5 spec); 0x81, 0x8D, 0x8F, 0x90, 0x9D stay. */
const CP1252_HIGH = '\u20ac\x81\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\x8d\u017d\x8f' +
  '\x90\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\x9d\u017e\u0178';

/** CPython html._invalid_codepoints: removed from numeric references. */
function isInvalidCodepoint(cp: number): boolean {
  return (cp >= 0x1 && cp <= 0x8) || cp === 0xb || (cp >= 0xe && cp <= 0x1f) || (cp >= 0x7f && cp <= 0x9f) ||
    (cp >= 0xfdd0 && cp <= 0xfdef) || (cp & 0xfffe) === 0xfffe;
}

const CHARREF = /&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)/gu;

function replaceCharref(body: string): string {
  if (body[0] === '#') {
    const hex = body[1] === 'x' || body[1] === 'X';
    const digits = body.slice(hex ? 2 : 1).replace(/;$/, '');
    const num = parseInt(digits, hex ? 16 : 10); // may be huge or Infinity: handled by the range test
    if (num === 0x00) return '\ufffd';
    if (num === 0x0d) return '\r';
    if (num >= 0x80 && num <= 0x9f) return CP1252_HIGH[num - 0x80]!;
    if ((num >= 0xd800 && num <= 0xdfff) || !(num <= 0x10ffff)) return '\ufffd';
    if (isInvalidCodepoint(num)) return '';
    return String.fromCodePoint(num);
  }
  const table = html5Entities();
  const whole = table.get(body);
  if (whole !== undefined) return whole;
  // Longest prefix that is a (legacy, ';'-less) name: "&notit;" -> "¬it;".
  for (let x = body.length - 1; x > 1; x--) {
    const pre = table.get(body.slice(0, x));
    if (pre !== undefined) return pre + body.slice(x);
  }
  return '&' + body;
}

/** CPython html.unescape. */
export function htmlUnescape(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(CHARREF, (_m, body: string) => replaceCharref(body));
}

// ---------------------------------------------------------------------------------------------------------
// ftfy.fix_text subset. Covered: HTML entities (ftfy's ';'-only rule, skipped when the segment has '<'),
// UTF-8 read as Latin-1 / Windows-1252 mojibake, C1 controls, Latin ligatures, full-width forms, curly
// quotes, line breaks, lone surrogates, ANSI escapes, control characters, NFC. Not covered: ftfy's
// 'badness' heuristic and the other code pages it tries (1250/1251/1253/..., MacRoman, cp437),
// restore_byte_a0, replace_lossy_sequences, decode_inconsistent_utf8.

/** ftfy unescapes only ';'-terminated references, and also upper-cased names ("&EACUTE;" -> "É"). */
let ftfyEntityTable: Map<string, string> | undefined;
function ftfyEntities(): Map<string, string> {
  if (ftfyEntityTable !== undefined) return ftfyEntityTable;
  const table = new Map<string, string>();
  for (const [name, value] of html5Entities()) {
    if (!name.endsWith(';')) continue;
    table.set('&' + name, value);
    if (name === name.toLowerCase()) {
      const upper = '&' + name.toUpperCase();
      if (htmlUnescape(upper) === upper) table.set(upper, value.toUpperCase());
    }
  }
  ftfyEntityTable = table;
  return table;
}

const FTFY_ENTITY = /&#?[0-9A-Za-z]{1,24};/g;

function ftfyUnescapeHtml(text: string): string {
  return text.replace(FTFY_ENTITY, (m) => {
    const named = ftfyEntities().get(m);
    if (named !== undefined) return named;
    if (m.startsWith('&#')) {
      const un = htmlUnescape(m);
      return un.includes(';') ? m : un;
    }
    return m;
  });
}

/** Byte value of a character in "sloppy" Windows-1252 / Latin-1 (both are tried by ftfy), or -1. */
let sloppyByteOf: Map<string, number> | undefined;
function sloppyByte(ch: string): number {
  if (sloppyByteOf === undefined) {
    sloppyByteOf = new Map();
    for (let b = 0x80; b <= 0xff; b++) sloppyByteOf.set(String.fromCharCode(b), b); // Latin-1, C1 included
    for (let i = 0; i < 32; i++) sloppyByteOf.set(CP1252_HIGH[i]!, 0x80 + i); // Windows-1252 specials
  }
  return sloppyByteOf.get(ch) ?? -1;
}

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Undo UTF-8 that was decoded as Windows-1252 / Latin-1 ("cafÃ©" -> "café", "â€™" -> "’"). Only a complete,
 * valid UTF-8 multi-byte sequence (lead 0xC2-0xF4 + continuation bytes) is replaced; a lone accented letter
 * is left alone, which is the cheap stand-in for ftfy's badness heuristic.
 */
export function fixUtf8Mojibake(text: string): string {
  const chars = Array.from(text);
  let out = '';
  let changed = false;
  for (let i = 0; i < chars.length; ) {
    const lead = sloppyByte(chars[i]!);
    const need = lead >= 0xc2 && lead <= 0xdf ? 1 : lead >= 0xe0 && lead <= 0xef ? 2 : lead >= 0xf0 && lead <= 0xf4 ? 3 : 0;
    if (need > 0 && i + need < chars.length) {
      const bytes = [lead];
      for (let k = 1; k <= need; k++) {
        const b = sloppyByte(chars[i + k]!);
        if (b < 0x80 || b > 0xbf) break;
        bytes.push(b);
      }
      if (bytes.length === need + 1) {
        try {
          out += STRICT_UTF8.decode(Uint8Array.from(bytes)); // throws on overlong / surrogate encodings
          i += need + 1;
          changed = true;
          continue;
        } catch {
          // not valid UTF-8: keep the characters as they are
        }
      }
    }
    out += chars[i]!;
    i++;
  }
  return changed ? out : text;
}

/** ftfy chardata.LIGATURES. */
const LIGATURES: Record<string, string> = {
  '\u0132': 'IJ', '\u0133': 'ij', '\u0149': '\u02bcn', '\u01c4': 'D\u017d', '\u01c5': 'D\u017e', '\u01c6': 'd\u017e',
  '\u01c7': 'LJ', '\u01c8': 'Lj', '\u01c9': 'lj', '\u01ca': 'NJ', '\u01cb': 'Nj', '\u01cc': 'nj', '\u01f1': 'DZ',
  '\u01f2': 'Dz', '\u01f3': 'dz', '\ufb00': 'ff', '\ufb01': 'fi', '\ufb02': 'fl', '\ufb03': 'ffi', '\ufb04': 'ffl',
  '\ufb05': '\u017ft', '\ufb06': 'st',
};
const LIGATURE_RE = /[\u0132\u0133\u0149\u01c4-\u01cc\u01f1-\u01f3\ufb00-\ufb06]/g;

/** ftfy fix_character_width: U+3000 -> space, U+FF01..U+FFEF -> their NFKC form (ASCII, half-width kana...). */
const WIDTH_RE = /[\u3000\uff01-\uffef]/g;
function fixCharacterWidth(text: string): string {
  return text.replace(WIDTH_RE, (c) => (c === '\u3000' ? ' ' : c.normalize('NFKC')));
}

/** ftfy chardata.CONTROL_CHARS (tab, LF, FF, CR are kept). */
const CONTROL_RE = /[\x00-\x08\x0b\x0e-\x1f\x7f\u206a-\u206f\ufeff\ufff9-\ufffc]/g;
const ANSI_RE = /\x1b\[((?:\d|;)*)([a-zA-Z])/g;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

function fixSegmentOnce(text: string, unescape: boolean): string {
  let t = text;
  if (unescape) t = ftfyUnescapeHtml(t);
  t = fixUtf8Mojibake(t);
  t = t.replace(/[\x80-\x9f]/g, (c) => CP1252_HIGH[c.charCodeAt(0) - 0x80]!); // fix_c1_controls
  t = t.replace(LIGATURE_RE, (c) => LIGATURES[c]!);
  t = fixCharacterWidth(t);
  t = t.replace(/[\u02bc\u2018-\u201b]/g, "'").replace(/[\u201c-\u201f]/g, '"'); // uncurl_quotes
  t = t.replace(/\r\n/g, '\n').replace(/[\r\u2028\u2029\x85]/g, '\n'); // fix_line_breaks
  t = t.replace(LONE_SURROGATE, '\ufffd'); // fix_surrogates (pairs are already joined in UTF-16)
  t = t.replace(ANSI_RE, '');
  t = t.replace(CONTROL_RE, '');
  return t.normalize('NFC');
}

/**
 * The ftfy.fix_text subset above. Like ftfy, works line by line, and once a line contains '<' the text is
 * treated as HTML and entities are no longer unescaped (for that line and the ones after it); each line is
 * fixed repeatedly until it stops changing.
 */
export function fixTextLite(text: string): string {
  let unescape = true;
  let out = '';
  for (let pos = 0; pos < text.length; ) {
    const nl = text.indexOf('\n', pos);
    const end = nl < 0 ? text.length : nl + 1;
    let seg = text.slice(pos, end);
    if (seg.includes('<')) unescape = false;
    for (let iter = 0; iter < 16; iter++) {
      const next = fixSegmentOnce(seg, unescape);
      if (next === seg) break;
      seg = next;
    }
    out += seg;
    pos = end;
  }
  return out;
}

/**
 * CLIP's full normalisation: basic_clean (ftfy, html.unescape twice, strip), whitespace_clean, lower().
 * This is the `cleaned` string of the fixture cases.
 */
export function clipNormalize(text: string): string {
  const basic = pyStrip(htmlUnescape(htmlUnescape(fixTextLite(text))));
  return whitespaceClean(basic).toLowerCase();
}
