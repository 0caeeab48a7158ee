// Emits the GEMM of the wasm backend: C[M, N] = A[M, K] @ B[K, N] (+ bias[N]), B packed in panels of NR = 8
// columns. Optimized for speed: an MR x 8 register tile of f32x4 accumulators, A broadcast with v128.load32_splat,
// K unrolled by 4 and blocked by `kc` so one B panel slice (kc x 8 floats) stays in L1 while every row tile streams
// past it. The readable oracle is the ref matmul kernel (kernels/ref); semantics match torch.nn.functional.linear.
//
// Layout contract (the JS side pads so the kernel has no edge cases):
//   A: rows of `lda` bytes, M a multiple of MR, K a multiple of 4, pad columns zero.
//   B (packed): panel p holds, for k = 0..K-1, the 8 floats B[k, 8p .. 8p+7]; panels are contiguous, so the
//      panel of column j starts at b + j*K*4 bytes; pad columns/rows are zero.
//   C: rows of `ldc` bytes, N a multiple of 8. bias: 0 (none) or the address of N floats.
// Exported signature: (a, lda, b, bias, c, ldc, i0, i1, j0, j1, k, kc, act) computes rows [i0, i1) and columns
// [j0, j1) of C, so threads can split by row or column blocks; act (ACT_CODE, 0 = none) is applied to the float32
// result in the epilogue of the last K block (torch: linear then activation, fused).

import type { FuncBuilder, ModuleBuilder } from './emitter.js';
import { ACT_CODE, emitActivation, Temps } from './vecmath.js';
import type { WasmActivation } from './vecmath.js';

/** Columns per packed panel (two f32x4 vectors). */
export const NR = 8;
/** K unroll of the micro-kernel: K must be padded to a multiple of this. */
export const KU = 4;

export interface GemmVariant {
  /** Export name. */
  name: string;
  /** Rows per register tile (4 keeps 8 accumulators + 2 B + 1 A in the 16 xmm registers V8 allocates from). */
  mr: number;
  /** Use f32x4.relaxed_madd (one FMA) instead of f32x4.mul + f32x4.add. */
  relaxed: boolean;
}

const NV = NR / 4;

export function emitGemm(mod: ModuleBuilder, v: GemmVariant): number {
  const P = ['i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32'] as const;
  return mod.func(v.name, P, [], (f) => {
    const [a, lda, b, bias, c, ldc, i0, i1, j0, j1, k, kc, act] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12] as const;
    const temps = new Temps(f);
    const k0 = f.local('i32');
    const kLen = f.local('i32');
    const j = f.local('i32');
    const i = f.local('i32');
    const bPanel = f.local('i32');
    const bp = f.local('i32');
    const cp = f.local('i32');
    const kk = f.local('i32');
    const ap: number[] = [];
    for (let r = 0; r < v.mr; r++) ap.push(f.local('i32'));
    const acc: number[][] = [];
    for (let r = 0; r < v.mr; r++) acc.push(Array.from({ length: NV }, () => f.local('v128')));
    const bv = Array.from({ length: NV }, () => f.local('v128'));
    const av = f.local('v128');

    f.i32Const(0).set(k0);
    f.block().loop();
    {
      f.get(k0).get(k).i32GeS().brIf(1);
      // kLen = kc < k - k0 ? kc : k - k0 (select returns its first operand when the condition is non-zero)
      f.get(kc).get(k).get(k0).i32Sub().get(kc).get(k).get(k0).i32Sub().i32LtS().select().set(kLen);
      f.get(j0).set(j);
      f.forLt(j, j1, NR, () => {
        // bPanel = b + j*k*4 + k0*NR*4
        f.get(b).get(j).get(k).i32Mul().i32Const(2).i32Shl().i32Add();
        f.get(k0).i32Const(NR * 4).i32Mul().i32Add().set(bPanel);
        f.get(i0).set(i);
        f.forLt(i, i1, v.mr, () => emitTile(f));
      });
      f.get(k0).get(kc).i32Add().set(k0);
      f.br(0);
    }
    f.end().end();

    function emitTile(f: FuncBuilder): void {
      // cp = c + i*ldc + j*4
      f.get(c).get(i).get(ldc).i32Mul().i32Add().get(j).i32Const(2).i32Shl().i32Add().set(cp);
      // ap[0] = a + i*lda + k0*4, ap[r] = ap[r-1] + lda
      f.get(a).get(i).get(lda).i32Mul().i32Add().get(k0).i32Const(2).i32Shl().i32Add().set(ap[0]!);
      for (let r = 1; r < v.mr; r++) f.get(ap[r - 1]!).get(lda).i32Add().set(ap[r]!);

      // Accumulators start from bias (first K block) or zero, and each later K block's partial sum is added to C
      // at the end: chains of kc additions instead of K, which keeps the float32 rounding error ~sqrt(K/kc)
      // smaller than continuing from C (the rejected alternative, same cost).
      f.get(k0).i32Eqz().get(bias).i32Const(0).i32Ne().i32And().if_();
      for (let q = 0; q < NV; q++) f.get(bias).get(j).i32Const(2).i32Shl().i32Add().v128Load(16 * q).set(acc[0]![q]!);
      for (let r = 1; r < v.mr; r++) for (let q = 0; q < NV; q++) f.get(acc[0]![q]!).set(acc[r]![q]!);
      f.else_();
      for (let r = 0; r < v.mr; r++) for (let q = 0; q < NV; q++) f.f32x4Const(0).set(acc[r]![q]!);
      f.end();

      // Micro-kernel: for kk = kLen; kk > 0; kk -= 4 (kLen > 0 and a multiple of 4 by contract).
      f.get(bPanel).set(bp);
      f.get(kLen).set(kk);
      f.loop();
      for (let u = 0; u < KU; u++) {
        for (let q = 0; q < NV; q++) f.get(bp).v128Load(u * NR * 4 + 16 * q).set(bv[q]!);
        for (let r = 0; r < v.mr; r++) {
          f.get(ap[r]!).v128Load32Splat(4 * u).set(av);
          for (let q = 0; q < NV; q++) {
            if (v.relaxed) f.get(av).get(bv[q]!).get(acc[r]![q]!).f32x4RelaxedMadd().set(acc[r]![q]!);
            else f.get(acc[r]![q]!).get(av).get(bv[q]!).f32x4Mul().f32x4Add().set(acc[r]![q]!);
          }
        }
      }
      for (let r = 0; r < v.mr; r++) f.get(ap[r]!).i32Const(4 * KU).i32Add().set(ap[r]!);
      f.get(bp).i32Const(NR * 4 * KU).i32Add().set(bp);
      f.get(kk).i32Const(KU).i32Sub().tee(kk).brIf(0);
      f.end();

      // Later K blocks: add the partial sums to C.
      f.get(k0).if_();
      for (let r = 0; r < v.mr; r++) {
        for (let q = 0; q < NV; q++) {
          f.get(cp).get(ldc).i32Const(r).i32Mul().i32Add().v128Load(16 * q).get(acc[r]![q]!).f32x4Add().set(acc[r]![q]!);
        }
      }
      f.end();

      // Epilogue: the activation, once the last K block is in.
      f.get(act).get(k0).get(kLen).i32Add().get(k).i32GeS().i32Mul().if_();
      for (const name of Object.keys(ACT_CODE) as WasmActivation[]) {
        f.get(act).i32Const(ACT_CODE[name]).i32Eq().if_();
        for (let r = 0; r < v.mr; r++) for (let q = 0; q < NV; q++) emitActivation(f, temps, name, acc[r]![q]!, acc[r]![q]!);
        f.end();
      }
      f.end();

      for (let r = 0; r < v.mr; r++) {
        for (let q = 0; q < NV; q++) {
          f.get(cp).get(ldc).i32Const(r).i32Mul().i32Add().get(acc[r]![q]!).v128Store(16 * q);
        }
      }
    }
  });
}
