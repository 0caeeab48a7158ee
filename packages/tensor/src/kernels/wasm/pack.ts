// Emits the weight packer of the wasm backend: W [N, K] rows (as loaded, PyTorch [out, in] layout) -> the GEMM's
// B panels (B = W^T, 8 columns per panel, k-major, zero padded to Kp x Np; layout contract in gemm.ts).
// Optimized for load time: the same loop in JS ran at ~115 M floats/s (750 ms for ViT-B's 86 M weights), a wasm
// loop of scalar loads and strided stores is several times faster. Oracle: WasmRuntime.packB (JS) in tests.
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
    f.i32Const(0).set(n);
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
