// Emits the weight packer of the wasm backend: W [N, K] rows (as loaded, PyTorch [out, in] layout) -> the GEMM's
// B panels (B = W^T, 8 columns per panel, k-major, zero padded to Kp x Np; layout contract in gemm.ts).
// Optimized for load time: the same loop in JS ran at ~115 M floats/s (750 ms for ViT-B's 86 M weights), a wasm
// loop is several times faster (full panels: v128 loads and shuffle transposes; the rest: scalar loads and strided
// stores). Oracle: WasmRuntime.packB (JS) in tests, bit for bit.
//
// pack_wt(src, ld, K, N, Kp, Np, dst): W[n, k] at src + n*ld + 4k (bytes).

import type { ModuleBuilder } from './emitter.js';

export function emitPack(mod: ModuleBuilder): void {
  mod.func('pack_wt', ['i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32'], [], (f) => {
    const [src, ld, K, N, Kp, Np, dst] = [0, 1, 2, 3, 4, 5, 6];
    const n = f.local('i32');
    const k = f.local('i32');
    const out = f.local('i32');
    const inp = f.local('i32');
    const row = f.local('i32');
    const N8 = f.local('i32');
    const K4 = f.local('i32');
    const r = [0, 1, 2, 3, 4, 5, 6, 7].map(() => f.local('v128'));
    const t = [0, 1, 2, 3].map(() => f.local('v128'));
    f.get(N).i32Const(-8).i32And().set(N8);
    f.get(K).i32Const(-4).i32And().set(K4);
    f.i32Const(0).set(n);
    // Full panels (8 real columns): 4 k at a time, one v128 load per source row and two 4x4 transposes by
    // shuffles, so each output row of 8 floats is two v128 stores (the scalar loop below moves one float per
    // load/store pair: the pack was a visible part of ViT-B's load time). Bits move unchanged.
    f.forLt(n, N8, 8, () => {
      // out = dst + (n >> 3) * Kp * 32; inp = src + n * ld
      f.get(dst).get(n).i32Const(3).i32ShrU().get(Kp).i32Mul().i32Const(5).i32Shl().i32Add().set(out);
      f.get(src).get(n).get(ld).i32Mul().i32Add().set(inp);
      f.i32Const(0).set(k);
      f.forLt(k, K4, 4, () => {
        // r[j] = W[n + j, k .. k+3]
        f.get(inp).set(row);
        r.forEach((rj, j) => {
          f.get(row).v128Load().set(rj);
          if (j < 7) f.get(row).get(ld).i32Add().set(row);
        });
        for (let h = 0; h < 2; h++) {
          const [a, b, c, d] = r.slice(4 * h, 4 * h + 4) as [number, number, number, number];
          f.get(a).get(b).shuffle32(0, 4, 1, 5).set(t[0]!); // [a0 b0 a1 b1]
          f.get(c).get(d).shuffle32(0, 4, 1, 5).set(t[1]!); // [c0 d0 c1 d1]
          f.get(a).get(b).shuffle32(2, 6, 3, 7).set(t[2]!); // [a2 b2 a3 b3]
          f.get(c).get(d).shuffle32(2, 6, 3, 7).set(t[3]!); // [c2 d2 c3 d3]
          // output row k + i, columns 4h .. 4h+3: [a_i b_i c_i d_i]
          f.get(out).get(t[0]!).get(t[1]!).shuffle32(0, 1, 4, 5).v128Store(0 * 32 + 16 * h);
          f.get(out).get(t[0]!).get(t[1]!).shuffle32(2, 3, 6, 7).v128Store(1 * 32 + 16 * h);
          f.get(out).get(t[2]!).get(t[3]!).shuffle32(0, 1, 4, 5).v128Store(2 * 32 + 16 * h);
          f.get(out).get(t[2]!).get(t[3]!).shuffle32(2, 3, 6, 7).v128Store(3 * 32 + 16 * h);
        }
        f.get(out).i32Const(128).i32Add().set(out);
        f.get(inp).i32Const(16).i32Add().set(inp);
      });
      // the last K % 4 k: one float per column
      f.forLt(k, K, 1, () => {
        f.get(inp).set(row);
        for (let j = 0; j < 8; j++) {
          f.get(out).get(row).f32Load().f32Store(4 * j);
          if (j < 7) f.get(row).get(ld).i32Add().set(row);
        }
        f.get(out).i32Const(32).i32Add().set(out);
        f.get(inp).i32Const(4).i32Add().set(inp);
      });
      // K padding: zeros
      f.forLt(k, Kp, 1, () => {
        for (let j = 0; j < 8; j++) f.get(out).f32Const(0).f32Store(4 * j);
        f.get(out).i32Const(32).i32Add().set(out);
      });
    });
    // The rest (a partial last panel and pad columns n >= N), one column at a time, from n = N8.
    f.forLt(n, Np, 1, () => {
      // out = dst + (n >> 3) * Kp * 32 + (n & 7) * 4
      f.get(dst).get(n).i32Const(3).i32ShrU().get(Kp).i32Mul().i32Const(5).i32Shl().i32Add();
      f.get(n).i32Const(7).i32And().i32Const(2).i32Shl().i32Add().set(out);
      f.i32Const(0).set(k);
      f.get(n).get(N).i32LtS().if_();
      {
        f.get(src).get(n).get(ld).i32Mul().i32Add().set(inp);
        f.forLt(k, K, 1, () => {
          f.get(out).get(inp).f32Load().f32Store();
          f.get(out).i32Const(32).i32Add().set(out);
          f.get(inp).i32Const(4).i32Add().set(inp);
        });
      }
      f.end();
      // K padding (and whole pad columns n >= N): zeros
      f.forLt(k, Kp, 1, () => {
        f.get(out).f32Const(0).f32Store();
        f.get(out).i32Const(32).i32Add().set(out);
      });
    });
  });
}
