// Elementwise ops: hand-computed values (arithmetic in comments), broadcasting, scalars, NaN/-0 edge cases,
// non-contiguous inputs, int32 forms and in-place residual adds. Semantics: torch.add/mul/.../torch.maximum.
import { describe, expect, it } from 'vitest';
import {
  tensor, intTensor, arange, scalar, zeros, Tensor,
  add, sub, mul, div, pow, maximum, minimum, neg, abs, exp, log, sqrt, rsqrt, tanh, sigmoid, erf, addInPlace,
  ShapeError, DTypeError,
} from '@patchwise/tensor';

const vals = (t: Tensor): number[] => Array.from(t.toArray());

describe('binary ops', () => {
  it('hand-computed values', () => {
    const a = tensor([1, 2, 3, 4]);
    const b = tensor([4, 3, 2, 1]);
    expect(vals(add(a, b))).toEqual([5, 5, 5, 5]);
    expect(vals(sub(a, b))).toEqual([-3, -1, 1, 3]);
    expect(vals(mul(a, b))).toEqual([4, 6, 6, 4]);
    // 1/4, 2/3, 3/2, 4/1 rounded to float32
    expect(vals(div(a, b))).toEqual([0.25, Math.fround(2 / 3), 1.5, 4]);
    expect(vals(pow(a, b))).toEqual([1, 8, 9, 4]); // 1^4, 2^3, 3^2, 4^1
    expect(vals(maximum(a, b))).toEqual([4, 3, 3, 4]);
    expect(vals(minimum(a, b))).toEqual([1, 2, 2, 1]);
  });

  it('float32 rounding of the result: 0.1 + 0.2 computed in float32', () => {
    // fround(0.1) + fround(0.2) = 0.30000000447034836 exactly in float64; rounded to float32 = fround(0.3)
    expect(add(tensor([0.1]), tensor([0.2])).get(0)).toBe(Math.fround(Math.fround(0.1) + Math.fround(0.2)));
    // a number operand is rounded to float32 first, like a Python scalar in torch: 1 * 0.1 = fround(0.1)
    expect(mul(tensor([1]), 0.1).get(0)).toBe(Math.fround(0.1));
  });

  it('broadcasts [2,1] with [3] to [2,3]', () => {
    const a = tensor([10, 20], [2, 1]);
    const b = tensor([1, 2, 3]);
    const r = add(a, b); // [[11,12,13],[21,22,23]]
    expect(r.shape).toEqual([2, 3]);
    expect(vals(r)).toEqual([11, 12, 13, 21, 22, 23]);
    expect(vals(sub(b, a))).toEqual([-9, -8, -7, -19, -18, -17]);
  });

  it('scalar forms on either side, and number-number', () => {
    const x = tensor([1, 2, 4]);
    expect(vals(sub(10, x))).toEqual([9, 8, 6]);
    expect(vals(div(x, 2))).toEqual([0.5, 1, 2]);
    expect(vals(pow(2, x))).toEqual([2, 4, 16]);
    expect(vals(pow(x, 0.5))).toEqual([1, Math.fround(Math.SQRT2), 2]);
    const s = mul(3, 4);
    expect(s.shape).toEqual([]);
    expect(s.get()).toBe(12);
  });

  it('incompatible shapes throw ShapeError naming both shapes', () => {
    expect(() => add(zeros([2, 3]), zeros([3, 2]))).toThrow(ShapeError);
    expect(() => add(zeros([2, 3]), zeros([3, 2]))).toThrow(/\[2, 3\].*\[3, 2\]/);
  });

  it('NaN propagation: maximum/minimum and arithmetic propagate NaN', () => {
    const a = tensor([NaN, 1, NaN]);
    const b = tensor([0, NaN, NaN]);
    for (const f of [add, mul, maximum, minimum]) expect(vals(f(a, b)).every(Number.isNaN)).toBe(true);
    expect(maximum(tensor([-Infinity]), tensor([3])).get(0)).toBe(3);
  });

  it('pow edge cases like C/torch: 1^NaN = 1, NaN^0 = 1, (-1)^inf = 1, (-8)^(1/3) = NaN', () => {
    expect(vals(pow(tensor([1, NaN, -1, -8]), tensor([NaN, 0, Infinity, 1 / 3])))).toEqual([1, 1, 1, NaN]);
  });

  it('division by zero and signed zero', () => {
    // 1/0 = inf, -1/0 = -inf, 0/0 = NaN, 1/-0 = -inf
    expect(vals(div(tensor([1, -1, 0, 1]), tensor([0, 0, 0, -0])))).toEqual([Infinity, -Infinity, NaN, -Infinity]);
    // -0 + -0 = -0; -0 * 1 = -0; 0 - 0 = +0
    expect(Object.is(add(tensor([-0]), tensor([-0])).get(0), -0)).toBe(true);
    expect(Object.is(mul(tensor([-0]), 1).get(0), -0)).toBe(true);
    expect(Object.is(sub(tensor([0]), tensor([0])).get(0), 0)).toBe(true);
  });

  it('non-contiguous inputs: transposed, sliced with step, expanded', () => {
    const x = arange(0, 6).view(2, 3); // [[0,1,2],[3,4,5]]
    const t = x.transpose(); // [[0,3],[1,4],[2,5]]
    const r = add(t, tensor([100, 200])); // [[100,203],[101,204],[102,205]]
    expect(vals(r)).toEqual([100, 203, 101, 204, 102, 205]);
    expect(r.isContiguous()).toBe(true);
    const s = arange(0, 10).slice(0, 1, 10, 3); // [1, 4, 7]
    expect(vals(mul(s, s))).toEqual([1, 16, 49]);
    const e = tensor([2]).expand(4); // stride 0
    expect(vals(mul(e, arange(0, 4)))).toEqual([0, 2, 4, 6]);
    // both operands non-contiguous and broadcast against each other: [3,1] (step-2 slice) with [1,2] (transposed)
    const c = arange(0, 6).slice(0, 0, 6, 2).view(3, 1); // [[0],[2],[4]]
    const d = arange(0, 2).view(2, 1).transpose(); // [[0, 1]], strides [1, 1]
    expect(vals(add(c, d))).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('size-0 and size-1 dims', () => {
    const r = add(zeros([0, 3]), tensor([1, 2, 3]));
    expect(r.shape).toEqual([0, 3]);
    expect(r.size).toBe(0);
    expect(add(zeros([2, 0]), zeros([1, 1])).shape).toEqual([2, 0]);
    expect(vals(add(tensor([5], [1, 1]), tensor([1, 2], [2, 1])))).toEqual([6, 7]);
  });

  it('int32: add/sub/mul/maximum/minimum stay int32 and wrap like int32', () => {
    const a = intTensor([1, -2, 2147483647]);
    const r = add(a, intTensor([1, 1, 1]));
    expect(r.dtype).toBe('int32');
    expect(vals(r)).toEqual([2, -1, -2147483648]); // 2^31-1 + 1 wraps to -2^31
    expect(vals(mul(a, 3))).toEqual([3, -6, 2147483645]); // (2^31-1)*3 = 6442450941 mod 2^32 -> 2147483645
    expect(vals(maximum(a, 0))).toEqual([1, 0, 2147483647]);
    expect(() => div(a, 2)).toThrow(DTypeError);
    expect(() => add(a, 0.5)).toThrow(DTypeError);
    expect(() => add(a, tensor([1, 2, 3]))).toThrow(DTypeError);
    expect(() => exp(a)).toThrow(DTypeError);
    expect(vals(neg(a))).toEqual([-1, 2, -2147483647]);
  });
});

describe('unary ops', () => {
  it('hand-computed values', () => {
    const x = tensor([-2, -0.5, 0, 1]);
    expect(vals(neg(x))).toEqual([2, 0.5, -0, -1]);
    expect(vals(abs(x))).toEqual([2, 0.5, 0, 1]);
    expect(vals(exp(tensor([0, 1])))).toEqual([1, Math.fround(Math.E)]);
    expect(vals(log(tensor([1, Math.E, 0, -1])))).toEqual([0, Math.fround(Math.log(Math.fround(Math.E))), -Infinity, NaN]);
    expect(vals(sqrt(tensor([4, 2, -1])))).toEqual([2, Math.fround(Math.SQRT2), NaN]);
    expect(vals(rsqrt(tensor([4, 0, -0])))).toEqual([0.5, Infinity, -Infinity]); // 1/sqrt(4); 1/+0; 1/-0
    expect(vals(tanh(tensor([0, 100, -100])))).toEqual([0, 1, -1]);
    // sigmoid(0) = 1/2; sigmoid(-200) = 1/(1+e^200) underflows to 0 in float32; sigmoid(200) = 1
    expect(vals(sigmoid(tensor([0, -200, 200, -1000])))).toEqual([0.5, 0, 1, 0]);
    expect(vals(erf(tensor([0, Infinity, -Infinity])))).toEqual([0, 1, -1]);
  });

  it('NaN propagates and -0 is kept where torch keeps it', () => {
    for (const f of [neg, abs, exp, log, sqrt, rsqrt, tanh, sigmoid, erf]) expect(Number.isNaN(f(tensor([NaN])).get(0))).toBe(true);
    expect(Object.is(neg(tensor([0])).get(0), -0)).toBe(true);
    expect(Object.is(abs(tensor([-0])).get(0), 0)).toBe(true);
    expect(Object.is(sqrt(tensor([-0])).get(0), -0)).toBe(true); // IEEE sqrt(-0) = -0
    expect(Object.is(erf(tensor([-0])).get(0), -0)).toBe(true);
    expect(Object.is(tanh(tensor([-0])).get(0), -0)).toBe(true);
  });

  it('non-contiguous input gives a contiguous output with the same values as the contiguous copy', () => {
    const x = arange(-6, 6).view(3, 4).permute(1, 0).slice(0, 1, 4, 2); // [2, 3], strides [2, 4]
    const r = tanh(x);
    expect(r.isContiguous()).toBe(true);
    expect(vals(r)).toEqual(vals(tanh(x.contiguous())));
    expect(vals(r)).toEqual(Array.from(x.toArray(), (v) => Math.fround(Math.tanh(v))));
  });

  it('0-d and size-0', () => {
    expect(exp(scalar(0)).shape).toEqual([]);
    expect(exp(scalar(0)).get()).toBe(1);
    expect(exp(zeros([3, 0])).shape).toEqual([3, 0]);
  });
});

describe('addInPlace', () => {
  it('adds a broadcast bias in place and returns dst', () => {
    const x = arange(0, 6).view(2, 3);
    const r = addInPlace(x, tensor([10, 20, 30])); // [[10,21,32],[13,24,35]]
    expect(r).toBe(x);
    expect(vals(x)).toEqual([10, 21, 32, 13, 24, 35]);
    addInPlace(x, 1);
    expect(vals(x)).toEqual([11, 22, 33, 14, 25, 36]);
  });

  it('writes through a strided view of dst', () => {
    const base = zeros([2, 4]);
    const v = base.slice(1, 1, 4, 2); // columns 1 and 3
    addInPlace(v, tensor([1, 2], [2, 1])); // row 0 += 1, row 1 += 2
    expect(vals(base)).toEqual([0, 1, 0, 1, 0, 2, 0, 2]);
  });

  it('rejects a src that would grow dst, and an expanded dst', () => {
    expect(() => addInPlace(zeros([3]), zeros([2, 3]))).toThrow(ShapeError);
    expect(() => addInPlace(zeros([1]).expand(3), zeros([3]))).toThrow(ShapeError);
    expect(() => addInPlace(zeros([3]), intTensor([1, 2, 3]))).toThrow(DTypeError);
  });
});
