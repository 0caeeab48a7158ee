// A strict JSON parser for safetensors headers that keeps what JSON.parse throws away.
// Optimized for exactness, not speed (headers are kilobytes): numbers keep their source text so integers
// above 2^53 and `2.0` vs `2` can be told apart, objects keep every entry in order (duplicates included, so
// the caller decides), and keys never touch an object prototype (`__proto__` is just a name).
// Semantics match serde_json's `from_str` as the Rust crate uses it: RFC 8259 grammar, JSON whitespace only
// (space, tab, LF, CR) before and after the value, lone surrogate escapes rejected, nesting limited to 127
// levels (serde_json's recursion limit of 128), and numbers that overflow f64 rejected.

export type JsonValue =
  | { readonly type: 'null' }
  | { readonly type: 'bool'; readonly value: boolean }
  /** `text` is the number exactly as written; `integer` is true when it has no fraction and no exponent. */
  | { readonly type: 'number'; readonly text: string; readonly integer: boolean }
  | { readonly type: 'string'; readonly value: string }
  | { readonly type: 'array'; readonly items: readonly JsonValue[] }
  | { readonly type: 'object'; readonly entries: readonly (readonly [string, JsonValue])[] };

/** A JSON syntax error at a character index of the decoded header text. */
export class JsonSyntaxError extends Error {
  override readonly name = 'JsonSyntaxError';
  constructor(
    readonly reason: string,
    readonly position: number,
  ) {
    super(`${reason} at character ${position}`);
  }
}

/** serde_json fails when its remaining depth (128) reaches 0, so 127 nested containers is the most it reads. */
const MAX_DEPTH = 127;

export function parseJson(text: string): JsonValue {
  return new Parser(text).parseDocument();
}

const enum Ch {
  Tab = 0x09,
  Lf = 0x0a,
  Cr = 0x0d,
  Space = 0x20,
  Quote = 0x22,
  Plus = 0x2b,
  Comma = 0x2c,
  Minus = 0x2d,
  Dot = 0x2e,
  Slash = 0x2f,
  Zero = 0x30,
  Nine = 0x39,
  Colon = 0x3a,
  UpperE = 0x45,
  LBracket = 0x5b,
  Backslash = 0x5c,
  RBracket = 0x5d,
  LowerE = 0x65,
  LBrace = 0x7b,
  RBrace = 0x7d,
}

class Parser {
  private pos = 0;
  constructor(private readonly s: string) {}

  parseDocument(): JsonValue {
    this.skipWs();
    const v = this.parseValue(0);
    this.skipWs();
    if (this.pos < this.s.length) this.fail('trailing characters after the JSON value');
    return v;
  }

  private fail(reason: string, at = this.pos): never {
    throw new JsonSyntaxError(reason, at);
  }

  private skipWs(): void {
    const s = this.s;
    while (this.pos < s.length) {
      const c = s.charCodeAt(this.pos);
      if (c === Ch.Space || c === Ch.Tab || c === Ch.Lf || c === Ch.Cr) this.pos++;
      else break;
    }
  }

  private parseValue(depth: number): JsonValue {
    if (this.pos >= this.s.length) this.fail('EOF while parsing a value');
    const c = this.s.charCodeAt(this.pos);
    if (c === Ch.LBrace) return this.parseObject(depth + 1);
    if (c === Ch.LBracket) return this.parseArray(depth + 1);
    if (c === Ch.Quote) return { type: 'string', value: this.parseString() };
    if (c === Ch.Minus || (c >= Ch.Zero && c <= Ch.Nine)) return this.parseNumber();
    if (this.s.startsWith('true', this.pos)) {
      this.pos += 4;
      return { type: 'bool', value: true };
    }
    if (this.s.startsWith('false', this.pos)) {
      this.pos += 5;
      return { type: 'bool', value: false };
    }
    if (this.s.startsWith('null', this.pos)) {
      this.pos += 4;
      return { type: 'null' };
    }
    return this.fail('expected value');
  }

  private parseObject(depth: number): JsonValue {
    if (depth > MAX_DEPTH) this.fail('recursion limit exceeded');
    this.pos++; // '{'
    const entries: (readonly [string, JsonValue])[] = [];
    this.skipWs();
    if (this.s.charCodeAt(this.pos) === Ch.RBrace) {
      this.pos++;
      return { type: 'object', entries };
    }
    for (;;) {
      this.skipWs();
      if (this.pos >= this.s.length) this.fail('EOF while parsing an object');
      if (this.s.charCodeAt(this.pos) !== Ch.Quote) this.fail('key must be a string');
      const key = this.parseString();
      this.skipWs();
      if (this.s.charCodeAt(this.pos) !== Ch.Colon) this.fail(this.pos >= this.s.length ? 'EOF while parsing an object' : "expected ':'");
      this.pos++;
      this.skipWs();
      entries.push([key, this.parseValue(depth)]);
      this.skipWs();
      const c = this.s.charCodeAt(this.pos);
      if (c === Ch.Comma) {
        this.pos++;
        continue;
      }
      if (c === Ch.RBrace) {
        this.pos++;
        return { type: 'object', entries };
      }
      this.fail(this.pos >= this.s.length ? 'EOF while parsing an object' : "expected ',' or '}'");
    }
  }

  private parseArray(depth: number): JsonValue {
    if (depth > MAX_DEPTH) this.fail('recursion limit exceeded');
    this.pos++; // '['
    const items: JsonValue[] = [];
    this.skipWs();
    if (this.s.charCodeAt(this.pos) === Ch.RBracket) {
      this.pos++;
      return { type: 'array', items };
    }
    for (;;) {
      this.skipWs();
      items.push(this.parseValue(depth));
      this.skipWs();
      const c = this.s.charCodeAt(this.pos);
      if (c === Ch.Comma) {
        this.pos++;
        continue;
      }
      if (c === Ch.RBracket) {
        this.pos++;
        return { type: 'array', items };
      }
      this.fail(this.pos >= this.s.length ? 'EOF while parsing a list' : "expected ',' or ']'");
    }
  }

  private parseString(): string {
    const s = this.s;
    const start = this.pos;
    this.pos++; // opening quote
    let out = '';
    let runStart = this.pos;
    for (;;) {
      if (this.pos >= s.length) this.fail('EOF while parsing a string', start);
      const c = s.charCodeAt(this.pos);
      if (c === Ch.Quote) {
        out += s.slice(runStart, this.pos);
        this.pos++;
        return out;
      }
      if (c < 0x20) this.fail('control character (\\u0000-\\u001F) found while parsing a string');
      if (c !== Ch.Backslash) {
        this.pos++;
        continue;
      }
      out += s.slice(runStart, this.pos);
      this.pos++;
      const e = s.charCodeAt(this.pos);
      this.pos++;
      switch (e) {
        case Ch.Quote:
          out += '"';
          break;
        case Ch.Backslash:
          out += '\\';
          break;
        case Ch.Slash:
          out += '/';
          break;
        case 0x62:
          out += '\b';
          break;
        case 0x66:
          out += '\f';
          break;
        case 0x6e:
          out += '\n';
          break;
        case 0x72:
          out += '\r';
          break;
        case 0x74:
          out += '\t';
          break;
        case 0x75: {
          const u = this.hex4();
          if (u >= 0xdc00 && u <= 0xdfff) this.fail('lone trailing surrogate in hex escape');
          if (u >= 0xd800 && u <= 0xdbff) {
            // A high surrogate must be followed by an escaped low surrogate (serde_json rejects lone ones).
            if (s.charCodeAt(this.pos) !== Ch.Backslash || s.charCodeAt(this.pos + 1) !== 0x75) this.fail('unexpected end of hex escape');
            this.pos += 2;
            const lo = this.hex4();
            if (lo < 0xdc00 || lo > 0xdfff) this.fail('lone leading surrogate in hex escape');
            out += String.fromCharCode(u, lo);
          } else {
            out += String.fromCharCode(u);
          }
          break;
        }
        default:
          this.fail('invalid escape', this.pos - 1);
      }
      runStart = this.pos;
    }
  }

  private hex4(): number {
    let v = 0;
    for (let i = 0; i < 4; i++) {
      const c = this.s.charCodeAt(this.pos);
      let d: number;
      if (c >= 0x30 && c <= 0x39) d = c - 0x30;
      else if (c >= 0x41 && c <= 0x46) d = c - 0x41 + 10;
      else if (c >= 0x61 && c <= 0x66) d = c - 0x61 + 10;
      else return this.fail(this.pos >= this.s.length ? 'EOF while parsing a string' : 'invalid escape');
      v = v * 16 + d;
      this.pos++;
    }
    return v;
  }

  private parseNumber(): JsonValue {
    const s = this.s;
    const start = this.pos;
    const digit = (): boolean => {
      const c = s.charCodeAt(this.pos);
      return c >= Ch.Zero && c <= Ch.Nine;
    };
    if (s.charCodeAt(this.pos) === Ch.Minus) this.pos++;
    if (!digit()) this.fail('invalid number');
    if (s.charCodeAt(this.pos) === Ch.Zero) {
      this.pos++;
      if (digit()) this.fail('invalid number'); // leading zeros
    } else {
      while (digit()) this.pos++;
    }
    let integer = true;
    if (s.charCodeAt(this.pos) === Ch.Dot) {
      integer = false;
      this.pos++;
      if (!digit()) this.fail('invalid number');
      while (digit()) this.pos++;
    }
    const c = s.charCodeAt(this.pos);
    if (c === Ch.LowerE || c === Ch.UpperE) {
      integer = false;
      this.pos++;
      const sign = s.charCodeAt(this.pos);
      if (sign === Ch.Plus || sign === Ch.Minus) this.pos++;
      if (!digit()) this.fail('invalid number');
      while (digit()) this.pos++;
    }
    const text = s.slice(start, this.pos);
    // serde_json turns integers beyond u64/i64 into f64 and fails when even f64 overflows.
    if (!Number.isFinite(Number(text))) this.fail('number out of range', start);
    return { type: 'number', text, integer };
  }
}
