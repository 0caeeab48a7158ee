// A small typed WebAssembly binary emitter: module sections (type, import memory, function, export, code),
// LEB128, and only the instructions our kernels use. Optimized for being readable next to the spec tables, not
// for generality: no tables, globals, data segments or multi-value blocks.
// Encodings follow the WebAssembly core spec (binary format, §5) and the SIMD128 / relaxed-SIMD proposals
// (relaxed-simd Overview.md: f32x4.relaxed_madd = 0xfd 0x105, f32x4.relaxed_nmadd = 0xfd 0x106).

export type ValType = 'i32' | 'f32' | 'v128';

const VALTYPE: Record<ValType, number> = { i32: 0x7f, f32: 0x7d, v128: 0x7b };

/** Growable byte buffer with the LEB128 and IEEE encoders the binary format needs. */
export class ByteWriter {
  private buf = new Uint8Array(256);
  length = 0;

  byte(b: number): this {
    if (this.length === this.buf.length) {
      const next = new Uint8Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.length++] = b & 0xff;
    return this;
  }

  bytes(bs: ArrayLike<number>): this {
    for (let i = 0; i < bs.length; i++) this.byte(bs[i]!);
    return this;
  }

  /** Unsigned LEB128 of a non-negative integer below 2^32. */
  u32(v: number): this {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new RangeError(`u32 LEB128 out of range: ${v}`);
    do {
      let b = v & 0x7f;
      v = Math.floor(v / 128);
      if (v !== 0) b |= 0x80;
      this.byte(b);
    } while (v !== 0);
    return this;
  }

  /** Signed LEB128 of a 32-bit integer (i32.const immediates). */
  s32(v: number): this {
    if (!Number.isInteger(v) || v < -0x80000000 || v > 0xffffffff) throw new RangeError(`s32 LEB128 out of range: ${v}`);
    v = v | 0; // wrap 0x80000000..0xffffffff to their i32 bit patterns
    for (;;) {
      const b = v & 0x7f;
      v >>= 7;
      const done = (v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0);
      this.byte(done ? b : b | 0x80);
      if (done) return this;
    }
  }

  f32(x: number): this {
    const bs = new Uint8Array(new Float32Array([x]).buffer);
    return this.bytes(bs);
  }

  name(s: string): this {
    const bs = new TextEncoder().encode(s);
    return this.u32(bs.length).bytes(bs);
  }

  /** Appends another writer's bytes prefixed by their length (sections, function bodies). */
  sized(w: ByteWriter): this {
    return this.u32(w.length).bytes(w.toBytes());
  }

  toBytes(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

/** Alignment exponents (log2 bytes) used in memargs. */
const ALIGN = { f32: 2, i32: 2, v128: 4 } as const;

/**
 * One function body. Instruction methods push bytes in stack-machine order and return `this`, so kernel
 * code reads like the text format: `f.get(a).get(b).f32x4Mul()`.
 */
export class FuncBuilder {
  readonly code = new ByteWriter();
  private readonly locals: ValType[] = [];
  /** Open blocks/loops/ifs, for `end()` balance checks. */
  private depth = 0;

  constructor(
    readonly params: readonly ValType[],
    readonly results: readonly ValType[],
  ) {}

  /** Declares a new local and returns its index (params come first). */
  local(t: ValType): number {
    this.locals.push(t);
    return this.params.length + this.locals.length - 1;
  }

  private op(b: number): this {
    this.code.byte(b);
    return this;
  }

  private simd(sub: number): this {
    this.code.byte(0xfd).u32(sub);
    return this;
  }

  private memarg(align: number, offset: number): this {
    this.code.u32(align).u32(offset);
    return this;
  }

  // ---- control ----
  block(): this {
    this.depth++;
    return this.op(0x02).op(0x40);
  }
  loop(): this {
    this.depth++;
    return this.op(0x03).op(0x40);
  }
  if_(): this {
    this.depth++;
    return this.op(0x04).op(0x40);
  }
  else_(): this {
    return this.op(0x05);
  }
  end(): this {
    if (this.depth === 0) throw new Error('emitter: end() without an open block');
    this.depth--;
    return this.op(0x0b);
  }
  br(depth: number): this {
    this.op(0x0c).code.u32(depth);
    return this;
  }
  brIf(depth: number): this {
    this.op(0x0d).code.u32(depth);
    return this;
  }
  return_(): this {
    return this.op(0x0f);
  }
  drop(): this {
    return this.op(0x1a);
  }
  /** Calls function `index` of this module (arguments already on the stack). */
  call(index: number): this {
    this.op(0x10).code.u32(index);
    return this;
  }
  select(): this {
    return this.op(0x1b);
  }

  /**
   * `for (i = <current value of i>; i < end; i += step) body()`, as block { loop { br_if exit; body; br } }.
   * `end` is a local index; the body must not branch out of the loop.
   */
  forLt(i: number, end: number, step: number, body: () => void): this {
    this.block().loop();
    this.get(i).get(end).i32GeS().brIf(1);
    body();
    this.get(i).i32Const(step).i32Add().set(i);
    this.br(0).end().end();
    return this;
  }

  // ---- locals and constants ----
  get(i: number): this {
    this.op(0x20).code.u32(i);
    return this;
  }
  set(i: number): this {
    this.op(0x21).code.u32(i);
    return this;
  }
  tee(i: number): this {
    this.op(0x22).code.u32(i);
    return this;
  }
  i32Const(v: number): this {
    this.op(0x41).code.s32(v);
    return this;
  }
  f32Const(v: number): this {
    this.op(0x43).code.f32(v);
    return this;
  }
  /** v128.const from four f32 lanes. */
  f32x4Const(a: number, b = a, c = a, d = a): this {
    this.simd(0x0c).code.bytes(new Uint8Array(new Float32Array([a, b, c, d]).buffer));
    return this;
  }
  /** v128.const from four i32 lanes. */
  i32x4Const(a: number, b = a, c = a, d = a): this {
    this.simd(0x0c).code.bytes(new Uint8Array(new Int32Array([a, b, c, d]).buffer));
    return this;
  }

  // ---- memory ----
  i32Load(offset = 0): this {
    return this.op(0x28).memarg(ALIGN.i32, offset);
  }
  f32Load(offset = 0): this {
    return this.op(0x2a).memarg(ALIGN.f32, offset);
  }
  i32Store(offset = 0): this {
    return this.op(0x36).memarg(ALIGN.i32, offset);
  }
  f32Store(offset = 0): this {
    return this.op(0x38).memarg(ALIGN.f32, offset);
  }
  v128Load(offset = 0): this {
    return this.simd(0x00).memarg(ALIGN.v128, offset);
  }
  v128Load32Splat(offset = 0): this {
    return this.simd(0x09).memarg(ALIGN.f32, offset);
  }
  v128Store(offset = 0): this {
    return this.simd(0x0b).memarg(ALIGN.v128, offset);
  }

  // ---- i32 ----
  i32Eqz(): this {
    return this.op(0x45);
  }
  i32Eq(): this {
    return this.op(0x46);
  }
  i32Ne(): this {
    return this.op(0x47);
  }
  i32LtS(): this {
    return this.op(0x48);
  }
  i32GtS(): this {
    return this.op(0x4a);
  }
  i32LeS(): this {
    return this.op(0x4c);
  }
  i32GeS(): this {
    return this.op(0x4e);
  }
  i32Add(): this {
    return this.op(0x6a);
  }
  i32Sub(): this {
    return this.op(0x6b);
  }
  i32Mul(): this {
    return this.op(0x6c);
  }
  i32Shl(): this {
    return this.op(0x74);
  }
  i32ShrU(): this {
    return this.op(0x76);
  }
  i32And(): this {
    return this.op(0x71);
  }
  f32ConvertI32S(): this {
    return this.op(0xb2);
  }

  // ---- f32 scalar ----
  f32Add(): this {
    return this.op(0x92);
  }
  f32Sub(): this {
    return this.op(0x93);
  }
  f32Mul(): this {
    return this.op(0x94);
  }
  f32Div(): this {
    return this.op(0x95);
  }
  f32Max(): this {
    return this.op(0x97);
  }
  f32Sqrt(): this {
    return this.op(0x91);
  }

  // ---- v128 / f32x4 / i32x4 ----
  /** i8x16.shuffle by 32-bit lanes: lane i of the result is lane lanes[i] of a (0-3) or of b (4-7); bits move unchanged. */
  shuffle32(l0: number, l1: number, l2: number, l3: number): this {
    this.simd(0x0d);
    for (const l of [l0, l1, l2, l3]) this.code.bytes([4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3]);
    return this;
  }
  f32x4Splat(): this {
    return this.simd(0x13);
  }
  i32x4Splat(): this {
    return this.simd(0x11);
  }
  f32x4ExtractLane(lane: 0 | 1 | 2 | 3): this {
    this.simd(0x1f).code.byte(lane);
    return this;
  }
  f32x4Eq(): this {
    return this.simd(0x41);
  }
  f32x4Lt(): this {
    return this.simd(0x43);
  }
  f32x4Gt(): this {
    return this.simd(0x44);
  }
  i32x4LtS(): this {
    return this.simd(0x39);
  }
  v128And(): this {
    return this.simd(0x4e);
  }
  v128Andnot(): this {
    return this.simd(0x4f);
  }
  v128Or(): this {
    return this.simd(0x50);
  }
  v128Xor(): this {
    return this.simd(0x51);
  }
  /** bitselect(a, b, mask): bits of a where mask is 1, else b. */
  v128Bitselect(): this {
    return this.simd(0x52);
  }
  f32x4Nearest(): this {
    return this.simd(0x6a);
  }
  i32x4Shl(): this {
    return this.simd(0xab);
  }
  i32x4Add(): this {
    return this.simd(0xae);
  }
  f32x4Abs(): this {
    return this.simd(0xe0);
  }
  f32x4Neg(): this {
    return this.simd(0xe1);
  }
  f32x4Sqrt(): this {
    return this.simd(0xe3);
  }
  f32x4Add(): this {
    return this.simd(0xe4);
  }
  f32x4Sub(): this {
    return this.simd(0xe5);
  }
  f32x4Mul(): this {
    return this.simd(0xe6);
  }
  f32x4Div(): this {
    return this.simd(0xe7);
  }
  f32x4Min(): this {
    return this.simd(0xe8);
  }
  f32x4Max(): this {
    return this.simd(0xe9);
  }
  i32x4TruncSatF32x4S(): this {
    return this.simd(0xf8);
  }
  /** relaxed-SIMD: a * b + c, fused or not (implementation-defined). Stack: a b c. */
  f32x4RelaxedMadd(): this {
    return this.simd(0x105);
  }

  /** The function body: local declarations (run-length by type) followed by the code. */
  body(): ByteWriter {
    if (this.depth !== 0) throw new Error(`emitter: function body has ${this.depth} unclosed block(s)`);
    const runs: [number, ValType][] = [];
    for (const t of this.locals) {
      const last = runs[runs.length - 1];
      if (last && last[1] === t) last[0]++;
      else runs.push([1, t]);
    }
    const w = new ByteWriter().u32(runs.length);
    for (const [n, t] of runs) w.u32(n).byte(VALTYPE[t]);
    w.bytes(this.code.toBytes()).byte(0x0b); // implicit function `end`
    return w;
  }
}

export interface MemoryImport {
  /** Pages of 64 KiB. */
  initial: number;
  maximum: number;
  shared: boolean;
}

interface FuncEntry {
  name: string;
  typeIndex: number;
  fn: FuncBuilder;
}

/** A module that imports one memory as env.memory and exports the functions added to it. */
export class ModuleBuilder {
  private readonly types: string[] = [];
  private readonly typeSigs: [readonly ValType[], readonly ValType[]][] = [];
  private readonly funcs: FuncEntry[] = [];

  constructor(private readonly memory: MemoryImport) {}

  /** Adds an exported function; `build` emits its body. Returns the function index. */
  func(name: string, params: readonly ValType[], results: readonly ValType[], build: (f: FuncBuilder) => void): number {
    const key = `${params.join(',')}->${results.join(',')}`;
    let typeIndex = this.types.indexOf(key);
    if (typeIndex < 0) {
      typeIndex = this.types.length;
      this.types.push(key);
      this.typeSigs.push([params, results]);
    }
    const fn = new FuncBuilder(params, results);
    build(fn);
    this.funcs.push({ name, typeIndex, fn });
    return this.funcs.length - 1;
  }

  toBytes(): Uint8Array {
    const out = new ByteWriter().bytes([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
    const section = (id: number, content: ByteWriter): void => {
      out.byte(id).sized(content);
    };

    const types = new ByteWriter().u32(this.typeSigs.length);
    for (const [params, results] of this.typeSigs) {
      types.byte(0x60).u32(params.length);
      for (const p of params) types.byte(VALTYPE[p]);
      types.u32(results.length);
      for (const r of results) types.byte(VALTYPE[r]);
    }
    section(1, types);

    const m = this.memory;
    const imports = new ByteWriter().u32(1).name('env').name('memory').byte(0x02);
    imports.byte(m.shared ? 0x03 : 0x01).u32(m.initial).u32(m.maximum);
    section(2, imports);

    const funcs = new ByteWriter().u32(this.funcs.length);
    for (const f of this.funcs) funcs.u32(f.typeIndex);
    section(3, funcs);

    const exports = new ByteWriter().u32(this.funcs.length);
    this.funcs.forEach((f, i) => exports.name(f.name).byte(0x00).u32(i));
    section(7, exports);

    const code = new ByteWriter().u32(this.funcs.length);
    for (const f of this.funcs) code.sized(f.fn.body());
    section(10, code);
    return out.toBytes();
  }
}
