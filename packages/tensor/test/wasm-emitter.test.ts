// The WebAssembly emitter: LEB128 against the spec's / Wikipedia's worked examples, the relaxed-SIMD opcode bytes
// against the proposal's table, every emitted kernel module validating (plain / relaxed, shared / not), a
// hand-built function running, and the inline vector exp against Math.exp over its whole range.
import { describe, expect, it } from 'vitest';
import { ByteWriter, FuncBuilder, ModuleBuilder } from '../src/kernels/wasm/emitter.js';
import { buildKernelModule } from '../src/kernels/wasm/module.js';
import { detectFeatures } from '../src/kernels/wasm/features.js';
import { emitExp, emitActivation, Temps, EXP_LO } from '../src/kernels/wasm/vecmath.js';
import type { WasmActivation } from '../src/kernels/wasm/vecmath.js';
import { geluScalar, geluTanhScalar, quickGeluScalar, siluScalar } from '../src/kernels/math.js';
import { TOL } from './tolerances.js';

const bytesOf = (w: ByteWriter): number[] => [...w.toBytes()];

describe('LEB128', () => {
  it('unsigned: 0, 127, 128, 624485 (= e5 8e 26, the Wikipedia example), 2^32-1', () => {
    expect(bytesOf(new ByteWriter().u32(0))).toEqual([0x00]);
    expect(bytesOf(new ByteWriter().u32(127))).toEqual([0x7f]);
    expect(bytesOf(new ByteWriter().u32(128))).toEqual([0x80, 0x01]);
    expect(bytesOf(new ByteWriter().u32(624485))).toEqual([0xe5, 0x8e, 0x26]);
    expect(bytesOf(new ByteWriter().u32(0xffffffff))).toEqual([0xff, 0xff, 0xff, 0xff, 0x0f]);
    expect(() => new ByteWriter().u32(-1)).toThrow(RangeError);
  });
  it('signed: -1, 63, 64 (needs a sign byte), -64, -65, -123456 (= c0 bb 78, Wikipedia)', () => {
    expect(bytesOf(new ByteWriter().s32(-1))).toEqual([0x7f]);
    expect(bytesOf(new ByteWriter().s32(63))).toEqual([0x3f]);
    expect(bytesOf(new ByteWriter().s32(64))).toEqual([0xc0, 0x00]);
    expect(bytesOf(new ByteWriter().s32(-64))).toEqual([0x40]);
    expect(bytesOf(new ByteWriter().s32(-65))).toEqual([0xbf, 0x7f]);
    expect(bytesOf(new ByteWriter().s32(-123456))).toEqual([0xc0, 0xbb, 0x78]);
  });
});

describe('opcodes', () => {
  it('f32x4.relaxed_madd is 0xfd 0x105 (LEB 85 02); f32x4.mul 0xfd 0xe6 (LEB e6 01); v128.load32_splat 0xfd 0x09', () => {
    const f = new FuncBuilder([], []);
    f.f32x4RelaxedMadd().f32x4Mul();
    expect([...f.code.toBytes()]).toEqual([0xfd, 0x85, 0x02, 0xfd, 0xe6, 0x01]);
    const g = new FuncBuilder(['i32'], []);
    g.get(0).v128Load32Splat(8);
    // local.get 0; 0xfd 0x09 align=2 offset=8
    expect([...g.code.toBytes()]).toEqual([0x20, 0x00, 0xfd, 0x09, 0x02, 0x08]);
  });
  it('unbalanced blocks are an emitter error, not an invalid module', () => {
    const f = new FuncBuilder([], []);
    f.block();
    expect(() => f.body()).toThrow(/unclosed/);
  });
});

describe('modules validate', () => {
  const feats = detectFeatures();
  const configs = [
    { relaxed: false, shared: false },
    { relaxed: false, shared: true },
    { relaxed: true, shared: false },
    { relaxed: true, shared: true },
  ].filter((c) => (!c.relaxed || feats.relaxedSimd) && (!c.shared || feats.sharedMemory));

  it('this Node has SIMD128 and (after the run-time flag) relaxed SIMD', () => {
    expect(feats.simd).toBe(true);
    expect(feats.relaxedSimd).toBe(true);
  });

  for (const c of configs) {
    it(`kernel module relaxed=${c.relaxed} shared=${c.shared} validates and compiles`, () => {
      const bytes = buildKernelModule({ ...c, maximumPages: 65536 });
      expect(WebAssembly.validate(bytes)).toBe(true);
      const mod = new WebAssembly.Module(bytes);
      const names = WebAssembly.Module.exports(mod).map((e) => e.name);
      expect(names).toContain('gemm_simd_4x8');
      expect(names).toContain('softmax_rows');
      expect(names).toContain('layernorm_rows');
      expect(names).toContain('attn_simd_4x8');
      if (c.relaxed) expect(names).toContain('gemm_relaxed_4x8');
    });
  }

  it('a hand-built function runs: sum of i32 at 0..n-1 memory words (1+2+3+4 = 10)', () => {
    const m = new ModuleBuilder({ initial: 1, maximum: 1, shared: false });
    m.func('sum', ['i32'], ['i32'], (f) => {
      const i = f.local('i32');
      const acc = f.local('i32');
      f.forLt(i, 0, 1, () => {
        f.get(acc).get(i).i32Const(2).i32Shl().i32Load().i32Add().set(acc);
      });
      f.get(acc);
    });
    const bytes = m.toBytes();
    expect(WebAssembly.validate(bytes)).toBe(true);
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 1 });
    new Int32Array(memory.buffer).set([1, 2, 3, 4]);
    const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
    expect((inst.exports.sum as (n: number) => number)(4)).toBe(10);
  });
});

/** A module mapping n floats at x to y with an inline vector expression. */
function vectorMap(emit: (f: FuncBuilder, t: Temps, v: number) => void): (input: Float32Array) => Float32Array {
  const m = new ModuleBuilder({ initial: 4, maximum: 4, shared: false });
  m.func('map', ['i32', 'i32', 'i32'], [], (f) => {
    const [x, y, end] = [0, 1, 2];
    const t = new Temps(f);
    const off = f.local('i32');
    const v = f.local('v128');
    f.forLt(off, end, 16, () => {
      f.get(x).get(off).i32Add().v128Load().set(v);
      emit(f, t, v);
      f.get(y).get(off).i32Add().get(v).v128Store();
    });
  });
  const memory = new WebAssembly.Memory({ initial: 4, maximum: 4 });
  const run = new WebAssembly.Instance(new WebAssembly.Module(m.toBytes()), { env: { memory } }).exports.map as (
    x: number, y: number, end: number,
  ) => void;
  return (input) => {
    const n = Math.ceil(input.length / 4) * 4;
    const f32 = new Float32Array(memory.buffer);
    f32.set(input, 0);
    run(0, n * 4, n * 4);
    return f32.slice(n, n + input.length);
  };
}

describe('vector math', () => {
  const exp = vectorMap((f, t, v) => emitExp(f, t, v, v));

  it('exp is within 2 ulp of Math.exp on [-87.3, 88.3] and exact at 0', () => {
    const xs = new Float32Array(20001);
    for (let i = 0; i < xs.length; i++) xs[i] = -87.3 + (175.6 * i) / (xs.length - 1);
    const got = exp(xs);
    let worstUlp = 0;
    for (let i = 0; i < xs.length; i++) {
      const want = Math.exp(xs[i]!);
      // ulp of the float32 result: 2^(exponent - 23)
      const ulp = 2 ** (Math.floor(Math.log2(want)) - 23);
      worstUlp = Math.max(worstUlp, Math.abs(got[i]! - want) / ulp);
    }
    expect(worstUlp).toBeLessThan(2);
    expect(exp(new Float32Array([0]))[0]).toBe(1);
  });

  it('exp edge cases: below the range -> exactly 0, -inf -> 0, NaN -> NaN', () => {
    const got = exp(new Float32Array([EXP_LO - 1, -1000, -Infinity, NaN]));
    expect([...got]).toEqual([0, 0, 0, NaN]);
  });

  const scalar: Record<Exclude<WasmActivation, 'relu'>, (x: number) => number> = {
    gelu: geluScalar,
    geluTanh: geluTanhScalar,
    quickGelu: quickGeluScalar,
    silu: siluScalar,
  };
  for (const [name, ref] of Object.entries(scalar) as [Exclude<WasmActivation, 'relu'>, (x: number) => number][]) {
    it(`${name} matches the float64 scalar within TOL.f32VectorMath on [-10, 10]`, () => {
      const act = vectorMap((f, t, v) => emitActivation(f, t, name, v, v));
      const xs = new Float32Array(4001);
      for (let i = 0; i < xs.length; i++) xs[i] = -10 + (20 * i) / (xs.length - 1);
      const got = act(xs);
      for (let i = 0; i < xs.length; i++) {
        const want = ref(xs[i]!);
        const err = Math.abs(got[i]! - want);
        if (!(err <= TOL.f32VectorMath.abs + TOL.f32VectorMath.rel * Math.abs(want))) expect.fail(`${name}(${xs[i]}) = ${got[i]}, want ${want}`);
      }
    });
  }

  it('relu keeps -0 and NaN (torch clamp_min semantics)', () => {
    const relu = vectorMap((f, t, v) => emitActivation(f, t, 'relu', v, v));
    const got = relu(new Float32Array([-1, -0, 0, 3, NaN, -Infinity, Infinity]));
    expect([...got]).toEqual([0, -0, 0, 3, NaN, 0, Infinity]);
    expect(Object.is(got[1], -0)).toBe(true);
  });
});
