// attention: a hand-computed 2-token case (with and without a causal mask), probabilities, heads split from a
// [B, T, 3D] tensor by views, CLIP-style causal + padding masks, and fast backends vs ref.
import { describe, expect, it } from 'vitest';
import { Tensor, tensor, fromArray, attention, withBackend, ShapeError, full } from '@patchwise/tensor';
import { TOL } from './tolerances.js';
import { rand, expectClose, fastBackendsOf } from './helpers.js';

/** An additive causal mask [1, 1, T, T]: 0 on and below the diagonal, -inf above (CLIP text). */
function causal(T: number): Tensor<'float32'> {
  const m = new Float32Array(T * T);
  for (let i = 0; i < T; i++) for (let j = i + 1; j < T; j++) m[i * T + j] = -Infinity;
  return fromArray(m, [1, 1, T, T]);
}

const fastBackends = fastBackendsOf('attention');

describe('attention: hand-computed', () => {
  for (const be of ['ref', ...fastBackends]) {
    it(`two tokens, scale 1, with probabilities (${be})`, () => {
      withBackend(be, () => {
        const q = tensor([[[[1, 0], [0, 1]]]]); // [1, 1, 2, 2]
        const v = tensor([[[[1, 2], [3, 4]]]]);
        // scores = q q^T = I; softmax([1, 0]) = [e/(e+1), 1/(e+1)] = [0.7310586, 0.2689414]
        // out row 0 = 0.7310586 [1, 2] + 0.2689414 [3, 4] = [1.5378828, 2.5378828]; row 1 mirrored
        const { output, probs } = attention(q, q, v, { scale: 1, returnProbs: true });
        expectClose(probs!, [[[[0.7310586, 0.2689414], [0.2689414, 0.7310586]]]], TOL.f32Hand, 'probs');
        expectClose(output, [[[[1.5378828, 2.5378828], [2.4621172, 3.4621172]]]], TOL.f32Hand, 'output');
        // default scale 1/sqrt(2): softmax([0.7071068, 0]) = [0.6697615, 0.3302385]
        // row 0 = [0.6697615 + 3 * 0.3302385, 2 * 0.6697615 + 4 * 0.3302385] = [1.660477, 2.660477]
        expectClose(attention(q, q, v).output.select(2, 0).reshape([1, 1, 1, 2]), [[[[1.660477, 2.660477]]]], TOL.f32Hand, 'default scale');
        // causal: row 0 sees only token 0 -> [1, 2]; row 1 unchanged
        const c = attention(q, q, v, { scale: 1, mask: causal(2), returnProbs: true });
        expectClose(c.output, [[[[1, 2], [2.4621172, 3.4621172]]]], TOL.f32Hand, 'causal output');
        expectClose(c.probs!, [[[[1, 0], [0.2689414, 0.7310586]]]], TOL.f32Hand, 'causal probs');
        expect(attention(q, q, v).probs).toBeNull();
      });
    });

    it(`a fully masked row gives NaN like torch eager softmax (${be})`, () => {
      withBackend(be, () => {
        const q = tensor([[[[1, 0], [0, 1]]]]);
        const mask = tensor([[[[-Infinity, -Infinity], [0, 0]]]]);
        const out = attention(q, q, q, { mask }).output;
        expect(out.select(2, 0).toArray().every((x) => Number.isNaN(x))).toBe(true);
        expect(out.select(2, 1).toArray().some((x) => Number.isNaN(x))).toBe(false);
      });
    });
  }
});

describe('attention: fast backends vs ref', () => {
  for (const be of fastBackends) {
    it(`${be}: heads as views of [B, T, 3D], awkward T, masks, probabilities`, () => {
      for (const [B, T, H, Dh] of [[1, 1, 1, 1], [1, 3, 1, 4], [2, 7, 3, 5], [1, 13, 2, 64], [2, 31, 4, 9], [1, 65, 2, 13], [1, 197, 3, 64], [1, 769, 1, 8]] as const) {
        const qkv = rand([B, T, 3 * H * Dh], T * 7 + Dh, 2);
        // [B, T, 3D] -> [B, T, 3, H, Dh] -> [3, B, H, T, Dh] (a view: strides of the fused projection)
        const heads = qkv.view([B, T, 3, H, Dh]).permute(2, 0, 3, 1, 4);
        const [q, k, v] = [heads.select(0, 0), heads.select(0, 1), heads.select(0, 2)];
        const pad = full([B, 1, 1, T], 0);
        if (T > 2) pad.data()[pad.size - 1] = -Infinity; // the last token of the last batch is padding
        const both = causal(T).expand(B, 1, T, T).contiguous();
        const bd = both.data();
        for (let i = 0; i < bd.length; i++) bd[i] = bd[i]! + pad.data()[Math.floor(i / (T * T)) * T + (i % T)]!;
        for (const mask of [null, causal(T), pad, both]) {
          for (const returnProbs of [false, true]) {
            const want = withBackend('ref', () => attention(q, k, v, { mask, returnProbs }));
            const got = withBackend(be, () => attention(q, k, v, { mask, returnProbs }));
            const what = `${be} B${B} T${T} H${H} Dh${Dh} mask=${mask ? mask.shape.join('x') : 'none'}`;
            expectClose(got.output, want.output, TOL.f32Kernel, what);
            if (returnProbs) expectClose(got.probs!, want.probs!, TOL.f32Kernel, `${what} probs`);
          }
        }
      }
    });

    it(`${be}: Tq != Tk, Dv != Dh, transposed k`, () => {
      const q = rand([2, 3, 5, 8], 1);
      const k = rand([2, 3, 8, 11], 2).transpose(2, 3); // [2, 3, 11, 8] with Dh-stride 11
      const v = rand([2, 3, 11, 6], 3);
      const mask = rand([3, 1, 11], 4); // broadcasts to [2, 3, 5, 11]
      const want = withBackend('ref', () => attention(q, k, v, { mask, scale: 0.3, returnProbs: true }));
      const got = withBackend(be, () => attention(q, k, v, { mask, scale: 0.3, returnProbs: true }));
      expectClose(got.output, want.output, TOL.f32Kernel, `${be} output`);
      expectClose(got.probs!, want.probs!, TOL.f32Kernel, `${be} probs`);
    });
  }
});

describe('attention: shapes and errors', () => {
  it('size-0 dims and errors', () => {
    expect(attention(rand([1, 2, 0, 4], 1), rand([1, 2, 3, 4], 2), rand([1, 2, 3, 5], 3)).output.shape).toEqual([1, 2, 0, 5]);
    expect(attention(rand([1, 2, 3, 4], 1), rand([1, 2, 0, 4], 2), rand([1, 2, 0, 5], 3)).output.toArray().every((x) => x === 0)).toBe(true);
    expect(() => attention(rand([1, 2, 3], 1), rand([1, 2, 3], 1), rand([1, 2, 3], 1))).toThrow(ShapeError);
    expect(() => attention(rand([1, 2, 3, 4], 1), rand([1, 2, 3, 5], 2), rand([1, 2, 3, 4], 3))).toThrow(/head dim 4/);
    expect(() => attention(rand([1, 2, 3, 4], 1), rand([1, 2, 3, 4], 2), rand([1, 2, 3, 4], 3), { mask: rand([4, 3], 4) })).toThrow(/does not broadcast/);
  });
});
