// Emits the row kernels of the wasm backend: softmax over rows, layerNorm over rows, and elementwise activations.
// Optimized for speed: f32x4 passes over each row, the ragged end handled by one masked vector. Its loads may read
// up to 3 floats past the row (the next row, or the allocator's 16 bytes of slack) and are masked; its stores may
// write up to 3 floats past the row, into row padding or the next output row, which is written after (rows go in
// order), so y must not alias x. Unaligned rows are fine: wasm v128 loads/stores take any address.
// Readable versions (oracles): kernels/ref/softmax.ts, kernels/ref/norm.ts, kernels/ref/activation.ts.
// Semantics: torch.softmax (max-subtracted; all -inf row -> NaN; NaN propagates), torch layer_norm (biased
// variance, eps inside the sqrt), torch gelu / silu / relu.

import type { FuncBuilder, ModuleBuilder } from './emitter.js';
import { ACT_CODE, emitActivation, emitExp, Temps } from './vecmath.js';
import type { WasmActivation } from './vecmath.js';

interface RowCtx {
  off: number;
  end: number;
  tail: number;
  mask: number;
}

/** Sets up the per-row loop bounds for a row of `n` floats: `end` = bytes of full vectors, `mask` = tail lanes. */
function rowCtx(f: FuncBuilder, n: number): RowCtx {
  const ctx = { off: f.local('i32'), end: f.local('i32'), tail: f.local('i32'), mask: f.local('v128') };
  f.get(n).i32Const(2).i32Shl().i32Const(-16).i32And().set(ctx.end);
  f.get(n).i32Const(3).i32And().set(ctx.tail);
  f.i32x4Const(0, 1, 2, 3).get(ctx.tail).i32x4Splat().i32x4LtS().set(ctx.mask);
  return ctx;
}

/** Runs `body(isTail)` for each full vector (off = byte offset in the row) and once more for the ragged end. */
function vecPass(f: FuncBuilder, c: RowCtx, body: (isTail: boolean) => void): void {
  f.i32Const(0).set(c.off);
  f.forLt(c.off, c.end, 16, () => body(false));
  f.get(c.tail).if_();
  body(true);
  f.end();
}

/** Horizontal reduction of a v128 local with a scalar binary op, leaving an f32 on the stack. */
function hReduce(f: FuncBuilder, v: number, op: 'add' | 'max'): void {
  const bin = (): FuncBuilder => (op === 'add' ? f.f32Add() : f.f32Max());
  f.get(v).f32x4ExtractLane(0).get(v).f32x4ExtractLane(1);
  bin();
  f.get(v).f32x4ExtractLane(2).get(v).f32x4ExtractLane(3);
  bin();
  bin();
}

/** softmax_rows(x, ldx, y, ldy, rows, n): y[r, :n] = softmax(x[r, :n]); strides in bytes (multiples of 16). */
function emitSoftmax(mod: ModuleBuilder): number {
  return mod.func('softmax_rows', ['i32', 'i32', 'i32', 'i32', 'i32', 'i32'], [], (f) => {
    const [x, ldx, y, ldy, rows, n] = [0, 1, 2, 3, 4, 5];
    const t = new Temps(f);
    const c = rowCtx(f, n);
    const r = f.local('i32');
    const acc = f.local('v128');
    const v = f.local('v128');
    const mx = f.local('v128');
    f.i32Const(0).set(r);
    f.forLt(r, rows, 1, () => {
      // pass 1: row max (pad lanes -inf)
      f.f32x4Const(-Infinity).set(acc);
      vecPass(f, c, (tail) => {
        f.get(x).get(c.off).i32Add().v128Load().set(v);
        if (tail) f.get(v).f32x4Const(-Infinity).get(c.mask).v128Bitselect().set(v);
        f.get(acc).get(v).f32x4Max().set(acc);
      });
      hReduce(f, acc, 'max');
      f.f32x4Splat().set(mx);
      // pass 2: e = exp(x - max), stored, and summed (pad lanes -inf -> exactly 0)
      f.f32x4Const(0).set(acc);
      vecPass(f, c, (tail) => {
        f.get(x).get(c.off).i32Add().v128Load().get(mx).f32x4Sub().set(v);
        if (tail) f.get(v).f32x4Const(-Infinity).get(c.mask).v128Bitselect().set(v);
        emitExp(f, t, v, v);
        f.get(y).get(c.off).i32Add().get(v).v128Store();
        f.get(acc).get(v).f32x4Add().set(acc);
      });
      f.f32Const(1);
      hReduce(f, acc, 'add');
      f.f32Div().f32x4Splat().set(mx);
      // pass 3: scale by 1/sum
      vecPass(f, c, () => {
        f.get(y).get(c.off).i32Add().get(y).get(c.off).i32Add().v128Load().get(mx).f32x4Mul().v128Store();
      });
      f.get(x).get(ldx).i32Add().set(x);
      f.get(y).get(ldy).i32Add().set(y);
    });
  });
}

/**
 * layernorm_rows(x, ldx, y, ldy, gamma, beta, rows, n, eps): y = (x - mean) / sqrt(var + eps) * gamma + beta
 * per row; gamma and beta are n floats (callers pass ones / zeros when there is no affine).
 */
function emitLayerNorm(mod: ModuleBuilder): void {
  mod.func('layernorm_rows', ['i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'f32'], [], (f) => {
    const [x, ldx, y, ldy, g, b, rows, n, eps] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
    const c = rowCtx(f, n);
    const r = f.local('i32');
    const acc = f.local('v128');
    const v = f.local('v128');
    const mean = f.local('v128');
    const rstd = f.local('v128');
    const nf = f.local('f32');
    f.get(n).f32ConvertI32S().set(nf);
    f.i32Const(0).set(r);
    f.forLt(r, rows, 1, () => {
      f.f32x4Const(0).set(acc);
      vecPass(f, c, (tail) => {
        f.get(x).get(c.off).i32Add().v128Load().set(v);
        if (tail) f.get(v).get(c.mask).v128And().set(v);
        f.get(acc).get(v).f32x4Add().set(acc);
      });
      hReduce(f, acc, 'add');
      f.get(nf).f32Div().f32x4Splat().set(mean);
      // two-pass variance: sum((x - mean)^2) / n (biased, like torch)
      f.f32x4Const(0).set(acc);
      vecPass(f, c, (tail) => {
        f.get(x).get(c.off).i32Add().v128Load().get(mean).f32x4Sub().set(v);
        if (tail) f.get(v).get(c.mask).v128And().set(v);
        f.get(acc).get(v).get(v).f32x4Mul().f32x4Add().set(acc);
      });
      f.f32Const(1);
      hReduce(f, acc, 'add');
      f.get(nf).f32Div().get(eps).f32Add().f32Sqrt().f32Div().f32x4Splat().set(rstd);
      vecPass(f, c, () => {
        f.get(y).get(c.off).i32Add();
        f.get(x).get(c.off).i32Add().v128Load().get(mean).f32x4Sub().get(rstd).f32x4Mul();
        f.get(g).get(c.off).i32Add().v128Load().f32x4Mul();
        f.get(b).get(c.off).i32Add().v128Load().f32x4Add();
        f.v128Store();
      });
      f.get(x).get(ldx).i32Add().set(x);
      f.get(y).get(ldy).i32Add().set(y);
    });
  });
}

/** act_<name>(x, y, count): y[i] = act(x[i]) for ceil(count / 4) vectors (buffers padded to 16 bytes). */
function emitActivationFlat(mod: ModuleBuilder, act: WasmActivation): void {
  mod.func(`act_${act}`, ['i32', 'i32', 'i32'], [], (f) => {
    const [x, y, count] = [0, 1, 2];
    const t = new Temps(f);
    const off = f.local('i32');
    const end = f.local('i32');
    const v = f.local('v128');
    f.get(count).i32Const(3).i32Add().i32Const(2).i32Shl().i32Const(-16).i32And().set(end);
    f.i32Const(0).set(off);
    f.forLt(off, end, 16, () => {
      f.get(x).get(off).i32Add().v128Load().set(v);
      emitActivation(f, t, act, v, v);
      f.get(y).get(off).i32Add().get(v).v128Store();
    });
  });
}

/** Emits the row kernels; returns the function index of softmax_rows (attention calls it). */
export function emitRowKernels(mod: ModuleBuilder): number {
  const softmax = emitSoftmax(mod);
  emitLayerNorm(mod);
  for (const act of Object.keys(ACT_CODE) as WasmActivation[]) emitActivationFlat(mod, act);
  return softmax;
}
