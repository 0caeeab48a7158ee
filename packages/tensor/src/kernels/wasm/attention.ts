// Emits attention over a range of heads: per head, scores = (q k^T) * scale + mask, softmax in place, out = p v,
// all inside the wasm heap with the GEMM and softmax kernels of this module (`call`). One head's scores [Tq, Tk]
// live in a per-thread scratch (L2-sized for ViT: 197 x 200 floats), so [B, H, Tq, Tk] is never materialised
// unless the caller asks for the probabilities (then each head writes its own slice). Optimized for speed and for
// splitting by heads across threads. Oracle: kernels/ref/attention.ts (HF eager attention semantics).
//
// attn_<gemm>(h0, h1, q, qs, k, ks, v, vs, s, ss, m, ms, o, os, Tqp, Tq, Tk, Dhp, Dvp, kc, scale): byte addresses
// and per-head byte strides (ss = 0: one shared scratch; ms = 0: the mask is broadcast over heads; m = 0: none).
//   q: [Tqp, Dhp] rows (pad columns zero)        k: K^T packed as GEMM B panels, Kp = Dhp, Np = ceil8(Tk)
//   v: V packed as GEMM B panels, Kp = ceil4(Tk), Np = Dvp (multiple of 8)
//   s: scores/probs [Tqp, ceil8(Tk)] rows        m: mask [Tq, ceil8(Tk)] rows       o: out [Tqp, Dvp] rows

import type { ModuleBuilder } from './emitter.js';

export function emitAttention(mod: ModuleBuilder, name: string, gemm: number, softmax: number): void {
  const P = new Array(20).fill('i32').concat(['f32']) as ('i32' | 'f32')[];
  mod.func(name, P, [], (f) => {
    const [h0, h1, q, qs, k, ks, v, vs, s, ss, m, ms, o, os, Tqp, Tq, Tk, Dhp, Dvp, kc, scale] = Array.from({ length: 21 }, (_, i) => i) as number[] as [
      number, number, number, number, number, number, number, number, number, number, number, number, number, number,
      number, number, number, number, number, number, number,
    ];
    const h = f.local('i32');
    const ldS = f.local('i32');
    const tk4 = f.local('i32');
    const sh = f.local('i32');
    const mh = f.local('i32');
    const i = f.local('i32');
    const j = f.local('i32');
    const rowS = f.local('i32');
    const rowM = f.local('i32');
    const sc = f.local('v128');
    // ldS = ceil8(Tk) * 4 bytes; tk4 = ceil4(Tk)
    f.get(Tk).i32Const(7).i32Add().i32Const(-8).i32And().i32Const(2).i32Shl().set(ldS);
    f.get(Tk).i32Const(3).i32Add().i32Const(-4).i32And().set(tk4);
    f.get(scale).f32x4Splat().set(sc);
    f.get(h0).set(h);
    f.forLt(h, h1, 1, () => {
      // sh = s + h*ss; mh = m + h*ms
      f.get(s).get(h).get(ss).i32Mul().i32Add().set(sh);
      f.get(m).get(h).get(ms).i32Mul().i32Add().set(mh);
      // scores [Tqp, ceil8 Tk] = q_h [Tqp, Dhp] @ (k_h^T packed)
      f.get(q).get(h).get(qs).i32Mul().i32Add().get(Dhp).i32Const(2).i32Shl();
      f.get(k).get(h).get(ks).i32Mul().i32Add().i32Const(0).get(sh).get(ldS);
      f.i32Const(0).get(Tqp).i32Const(0).get(ldS).i32Const(2).i32ShrU().get(Dhp).get(kc).i32Const(0).call(gemm);
      // scores = scores * scale (+ mask), over ceil4(Tk) columns of the Tq real rows
      f.i32Const(0).set(i);
      f.forLt(i, Tq, 1, () => {
        f.get(sh).get(i).get(ldS).i32Mul().i32Add().set(rowS);
        f.get(mh).get(i).get(ldS).i32Mul().i32Add().set(rowM);
        f.i32Const(0).set(j);
        f.get(m).if_();
        f.forLt(j, tk4, 4, () => {
          f.get(rowS).get(rowS).v128Load().get(sc).f32x4Mul().get(rowM).v128Load().f32x4Add().v128Store();
          f.get(rowS).i32Const(16).i32Add().set(rowS);
          f.get(rowM).i32Const(16).i32Add().set(rowM);
        });
        f.else_();
        f.forLt(j, tk4, 4, () => {
          f.get(rowS).get(rowS).v128Load().get(sc).f32x4Mul().v128Store();
          f.get(rowS).i32Const(16).i32Add().set(rowS);
        });
        f.end();
      });
      // probabilities, in place
      f.get(sh).get(ldS).get(sh).get(ldS).get(Tq).get(Tk).call(softmax);
      // out_h [Tqp, Dvp] = p [Tqp, ceil4 Tk] @ (v_h packed)
      f.get(sh).get(ldS).get(v).get(h).get(vs).i32Mul().i32Add().i32Const(0);
      f.get(o).get(h).get(os).i32Mul().i32Add().get(Dvp).i32Const(2).i32Shl();
      f.i32Const(0).get(Tqp).i32Const(0).get(Dvp).get(tk4).get(kc).i32Const(0).call(gemm);
    });
  });
}
