// The wasm backend's kernels against the ref kernels (the oracle), through the op front-ends: awkward sizes
// (1, 3, 7, 13, 31, 65, 197, 769), non-contiguous views, plain SIMD128 and relaxed-SIMD GEMMs, every tile height,
// fused activations, named edge cases (softmax overflow / -inf / NaN rows), and attention with masks and probs.
// GEMMs on small integers are compared exactly: every product and partial sum is an integer below 2^24, so any
// float32 summation order gives the exact result and an indexing bug cannot hide inside a tolerance.
import { afterAll, describe, expect, it } from 'vitest';
import {
  tensor, empty, withBackend, linear, prepareLinear, matmul, softmax, layerNorm, attention,
  getKernelOf, add, addInPlace, intTensor,
} from '@patchwise/tensor';
import { setWasmRuntime, wasmRuntime } from '../src/kernels/wasm/runtime.js';
import { wasmGelu, wasmGeluTanh, wasmQuickGelu, wasmSilu, wasmRelu } from '../src/kernels/wasm/kernels.js';
import { TOL } from './tolerances.js';
import { rand, randInt, expectClose } from './helpers.js';

const ref = <T>(fn: () => T): T => withBackend('ref', fn);
const wasm = <T>(fn: () => T): T => withBackend('wasm', fn);

const SIZES = [1, 3, 7, 13, 31, 65, 197, 769];
const RUNTIMES = [
  { relaxed: true, mr: 4 as const },
  { relaxed: false, mr: 4 as const },
  { relaxed: true, mr: 5 as const },
  { relaxed: false, mr: 6 as const },
];

afterAll(() => {
  setWasmRuntime({});
});

describe('wasm GEMM (linear, matmul) vs ref', () => {
  for (const opts of RUNTIMES) {
    const label = `${opts.relaxed ? 'relaxed' : 'simd'} ${opts.mr}x8`;
    it(`${label}: exact on integers, awkward M x K x N, with and without bias`, () => {
      setWasmRuntime({ ...opts, kc: 64 }); // small K block so K = 197, 769 cross several blocks
      const shapes: [number, number, number][] = [];
      for (const s of SIZES) shapes.push([s, 13, 7], [7, s, 13], [13, 7, s]);
      shapes.push([197, 769, 65]);
      for (const [M, K, N] of shapes) {
        const x = randInt([M, K], M * 31 + K);
        const W = randInt([N, K], K * 17 + N);
        const b = randInt([N], N);
        expectClose(wasm(() => linear(x, W, b)), ref(() => linear(x, W, b)), TOL.exact, `${label} linear ${M}x${K}x${N}`);
        expectClose(wasm(() => linear(x, W)), ref(() => linear(x, W)), TOL.exact, `${label} linear nobias ${M}x${K}x${N}`);
        const B = W.transpose();
        expectClose(wasm(() => matmul(x, B)), ref(() => matmul(x, B)), TOL.exact, `${label} matmul ${M}x${K}x${N}`);
      }
    });
  }

  it('random floats: within float32-kernel tolerance on awkward sizes, fused activations', () => {
    setWasmRuntime({});
    for (const [M, K, N] of [[197, 768, 65], [31, 300, 9], [1, 769, 13]] as [number, number, number][]) {
      const x = rand([M, K], M + K);
      const lw = prepareLinear(rand([N, K], K), rand([N], N));
      for (const act of [null, 'gelu', 'geluTanh', 'quickGelu', 'silu', 'relu'] as const) {
        const got = wasm(() => linear(x, lw, null, { activation: act }));
        const want = ref(() => linear(x, lw, null, { activation: act }));
        expectClose(got, want, TOL.f32Kernel, `${M}x${K}x${N} act=${act}`);
      }
    }
  });

  it('non-contiguous views: transposed / strided x, W and bias; batched matmul with broadcast', () => {
    const x = rand([3, 20, 17], 1).transpose(0, 1).slice(2, 0, 17, 2); // [20, 3, 9], strided
    const W = rand([9, 11], 2).transpose(); // [11, 9], strides [1, 11]
    const b = rand([22], 3).slice(0, 0, 22, 2); // [11], stride 2
    expectClose(wasm(() => linear(x, W, b)), ref(() => linear(x, W, b)), TOL.f32Kernel, 'linear views');
    const a = rand([3, 1, 12, 5], 7).transpose(-1, -2); // [3, 1, 5, 12]
    const c = rand([4, 12, 6], 8);
    expectClose(wasm(() => matmul(a, c)), ref(() => matmul(a, c)), TOL.f32Kernel, 'batched broadcast');
    const heads = rand([2, 9, 3, 8], 9).permute(0, 2, 1, 3);
    const keysT = rand([2, 9, 3, 8], 10).permute(0, 2, 3, 1);
    expectClose(wasm(() => matmul(heads, keysT)), ref(() => matmul(heads, keysT)), TOL.f32Kernel, 'permuted heads');
  });

  it('K = 0 gives the bias; NaN and inf propagate', () => {
    expect(wasm(() => linear(rand([2, 0], 1), rand([3, 0], 2), tensor([1, 2, 3]))).toNested()).toEqual([[1, 2, 3], [1, 2, 3]]);
    // row 0: [NaN*1 + 1*inf, NaN*0 + 1*1] = [NaN, NaN]; row 1: [1 + inf, 0 + 1] = [inf, 1]
    expect(wasm(() => matmul(tensor([[NaN, 1], [1, 1]]), tensor([[1, 0], [Infinity, 1]]))).toNested()).toEqual([[NaN, NaN], [Infinity, 1]]);
  });

  it('the emitted weight packer (pack_wt) equals the JS packer (packB) bit for bit, pads included', () => {
    const rt = setWasmRuntime({});
    for (const [N, K] of [[1, 1], [13, 7], [65, 197], [8, 4], [9, 769]] as [number, number][]) {
      const W = rand([N, K], N * 7 + K);
      const Kp = Math.ceil(K / 4) * 4;
      const Np = Math.ceil(N / 8) * 8;
      const a = rt.heap.alloc(Kp * Np * 4);
      const b = rt.heap.alloc(Kp * Np * 4);
      const src = rt.heap.alloc(N * K * 4);
      rt.heap.f32().fill(NaN, a >>> 2, (a >>> 2) + Kp * Np); // stale bytes: the pads must be overwritten
      rt.copyIn2d(W.data(), 0, K, 1, N, K, src, K);
      rt.exports.pack_wt(src, K * 4, K, N, Kp, Np, a);
      rt.packB(W.data(), 0, 1, K, K, N, Kp, Np, b);
      const f = rt.heap.f32();
      expect([...f.subarray(a >>> 2, (a >>> 2) + Kp * Np)]).toEqual([...f.subarray(b >>> 2, (b >>> 2) + Kp * Np)]);
    }
  });

  it('weights are packed once per runtime and reused', () => {
    const rt = setWasmRuntime({});
    const lw = prepareLinear(rand([16, 8], 1));
    wasm(() => linear(rand([4, 8], 2), lw));
    const packed = lw.packed.get('wasm');
    const used = rt.heap.used;
    wasm(() => linear(rand([4, 8], 3), lw));
    expect(lw.packed.get('wasm')).toBe(packed);
    expect(rt.heap.used).toBe(used); // scratch released, nothing new persistent
  });
});

describe('wasm row kernels vs ref', () => {
  it('softmax: awkward row lengths, non-contiguous, any axis', () => {
    for (const n of SIZES) {
      const x = rand([5, n], n, 8);
      expectClose(wasm(() => softmax(x)), ref(() => softmax(x)), TOL.f32Kernel, `softmax n=${n}`);
    }
    const x = rand([6, 13, 7], 3, 5);
    expectClose(wasm(() => softmax(x, 1)), ref(() => softmax(x, 1)), TOL.f32Kernel, 'softmax axis 1 (strided rows)');
    const y = rand([12, 197, 197], 4, 10).slice(2, 0, 197, 2);
    expectClose(wasm(() => softmax(y)), ref(() => softmax(y)), TOL.f32Kernel, 'softmax [12,197,99] strided');
  });

  it('softmax edge cases: overflow-sized logits, -inf entries, an all -inf row (NaN), NaN propagation', () => {
    const x = tensor([
      [1e30, 1e30, -1e30, 0, 0], // [0.5, 0.5, 0, 0, 0]
      [-Infinity, 0, -Infinity, 0, -Infinity], // [0, 0.5, 0, 0.5, 0]
      [-Infinity, -Infinity, -Infinity, -Infinity, -Infinity], // NaN row, like torch
      [1, NaN, 2, 3, 4], // NaN row
      [-1e4, -1e4 + Math.log(3), -2e4, -3e4, -1e4], // [1/5, 3/5, 0, 0, 1/5]
    ]);
    const got = wasm(() => softmax(x)).toNested() as number[][];
    expect(got[0]).toEqual([0.5, 0.5, 0, 0, 0]);
    expect(got[1]).toEqual([0, 0.5, 0, 0.5, 0]);
    expect(got[2]!.every((v) => Number.isNaN(v))).toBe(true);
    expect(got[3]!.every((v) => Number.isNaN(v))).toBe(true);
    expectClose(tensor(got[4]!), tensor([0.2, 0.6, 0, 0, 0.2]), TOL.f32Kernel, 'softmax row 4');
  });

  it('layerNorm: awkward D, with / without affine, strided input and weights', () => {
    for (const D of SIZES) {
      const x = rand([7, D], D, 3);
      const w = rand([D], D + 1);
      const b = rand([D], D + 2);
      expectClose(wasm(() => layerNorm(x, D, w, b)), ref(() => layerNorm(x, D, w, b)), TOL.f32Kernel, `layerNorm D=${D}`);
      expectClose(wasm(() => layerNorm(x, D)), ref(() => layerNorm(x, D)), TOL.f32Kernel, `layerNorm D=${D} no affine`);
    }
    const xs = rand([10, 40], 5).slice(1, 1, 40, 3); // [10, 13], stride 3
    const ws = rand([26], 6).slice(0, 0, 26, 2);
    expectClose(wasm(() => layerNorm(xs, 13, ws, null, 1e-6)), ref(() => layerNorm(xs, 13, ws, null, 1e-6)), TOL.f32Kernel, 'layerNorm strided');
    // constant row: variance 0 -> (x - mean) = 0 -> bias; (1 - 1) / sqrt(0 + 1e-5) * w + b = b
    expect(wasm(() => layerNorm(tensor([[1, 1, 1]]), 3, tensor([2, 2, 2]), tensor([0.5, -1, 0]))).toNested()).toEqual([[0.5, -1, 0]]);
  });

  it('vector activation kernels (not registered: the op uses the float64 js kernel) vs ref', () => {
    const kernels = { gelu: wasmGelu, geluTanh: wasmGeluTanh, quickGelu: wasmQuickGelu, silu: wasmSilu, relu: wasmRelu };
    for (const [name, k] of Object.entries(kernels) as [keyof typeof kernels, typeof wasmGelu][]) {
      for (const x of [rand([13, 31], 1, 8), rand([31, 26], 2, 8).slice(1, 0, 26, 2).transpose()]) {
        const got = empty(x.shape);
        const want = empty(x.shape);
        k(x, got);
        getKernelOf(name, 'ref')!(x, want);
        expectClose(got, want, TOL.f32VectorMath, `${name} ${x.shape}`);
      }
    }
  });
});

describe('wasm add (dense fast path, ref fallback)', () => {
  it('dense, in place, broadcast, strided and int32 operands equal the ref kernel exactly', () => {
    const a = rand([197, 768], 1);
    const b = rand([197, 768], 2);
    expectClose(wasm(() => add(a, b)), ref(() => add(a, b)), TOL.exact, 'dense');
    const h = a.clone();
    wasm(() => addInPlace(h, b));
    expectClose(h, ref(() => add(a, b)), TOL.exact, 'in place');
    const row = rand([768], 3);
    expectClose(wasm(() => add(a, row)), ref(() => add(a, row)), TOL.exact, 'broadcast row');
    expectClose(wasm(() => add(a.transpose(), b.transpose())), ref(() => add(a.transpose(), b.transpose())), TOL.exact, 'strided');
    // 1 + 2 = 3, 2^31 - 1 + 1 wraps like int32 in torch
    expect(wasm(() => add(intTensor([1, 2147483647]), intTensor([2, 1]))).toNested()).toEqual([3, -2147483648]);
    // f32 rounding: 1 + 2^-24 rounds back to 1 in float32 (the JS double add must be rounded, not kept)
    expect(wasm(() => add(tensor([1]), tensor([2 ** -24]))).toNested()).toEqual([1]);
  });
});

describe('wasm attention vs ref', () => {
  it('heads as views of [B, T, 3D], awkward T, head dims, masks, probabilities', () => {
    for (const [B, T, H, Dh] of [[1, 197, 3, 64], [2, 13, 2, 7], [1, 1, 1, 3], [2, 31, 4, 16]] as [number, number, number, number][]) {
      const qkv = rand([B, T, 3 * H * Dh], B * T + Dh, 2).view(B, T, 3, H, Dh);
      const q = qkv.select(2, 0).permute(0, 2, 1, 3); // [B, H, T, Dh] view
      const k = qkv.select(2, 1).permute(0, 2, 1, 3);
      const v = qkv.select(2, 2).permute(0, 2, 1, 3);
      const want = ref(() => attention(q, k, v, { returnProbs: true }));
      const got = wasm(() => attention(q, k, v, { returnProbs: true }));
      expectClose(got.output, want.output, TOL.f32Kernel, `attn ${B},${T},${H},${Dh}`);
      expectClose(got.probs!, want.probs!, TOL.f32Kernel, `attn probs ${B},${T},${H},${Dh}`);
      const noProbs = wasm(() => attention(q, k, v));
      expectClose(noProbs.output, want.output, TOL.f32Kernel, `attn no probs ${B},${T},${H},${Dh}`);
      // causal mask broadcast over B and H, and a per-batch padding mask [B, 1, 1, T]
      const causal = empty([T, T]);
      for (let i = 0; i < T; i++) for (let j = 0; j < T; j++) causal.data()[i * T + j] = j > i ? -Infinity : 0;
      const pad = empty([B, 1, 1, T]);
      for (let i = 0; i < B * T; i++) pad.data()[i] = i % 5 === 4 ? -1e9 : 0;
      for (const mask of [causal, pad]) {
        const w = ref(() => attention(q, k, v, { mask, scale: 0.3 }));
        const g = wasm(() => attention(q, k, v, { mask, scale: 0.3 }));
        expectClose(g.output, w.output, TOL.f32Kernel, `attn mask ${mask.shape} ${B},${T},${H},${Dh}`);
      }
    }
  });

  it('cross attention with Tq != Tk and Dv != Dh', () => {
    const q = rand([1, 2, 5, 8], 1);
    const k = rand([1, 2, 11, 8], 2);
    const v = rand([1, 2, 11, 3], 3);
    expectClose(wasm(() => attention(q, k, v).output), ref(() => attention(q, k, v).output), TOL.f32Kernel, 'cross');
  });
});

describe('wasm runtime', () => {
  it('is created lazily and reports its GEMM', () => {
    const rt = wasmRuntime();
    expect(rt).not.toBeNull();
    expect(rt!.gemmName).toMatch(/^gemm_(relaxed|simd)_[456]x8$/);
  });
});
