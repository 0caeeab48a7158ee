// Activations: gelu/geluTanh/quickGelu/silu against float64 values from PyTorch 1.13 (torch.nn.functional on
// float64 inputs, printed once and pasted below), erf against Python's math.erf, relu's NaN and -0, the HF
// hidden_act name table, and fast backends vs ref on awkward sizes and non-contiguous views.
import { describe, expect, it } from 'vitest';
import {
  Tensor, tensor, gelu, geluTanh, quickGelu, silu, relu, activation, resolveActivation, UnknownActivationError,
  withBackend, intTensor, DTypeError,
} from '@patchwise/tensor';
import { erf } from '../src/kernels/math.js';
import { TOL, type Tolerance } from './tolerances.js';
import { rand, expectClose, fastBackendsOf } from './helpers.js';

// Inputs are exact in float32 except +-1e-3, which are float32(1e-3) = 0.0010000000474974513.
const X = [-5, -3, -1.5, -1, -0.5, -0.0010000000474974513, 0, 0.0010000000474974513, 0.5, 1, 1.5, 3, 5];
// torch.nn.functional.gelu(x.double()) (exact erf form in float64)
const GELU = [-1.4332578593401202e-6, -0.00404969409489031, -0.10021080190328704, -0.15865525393145702, -0.15426876936299344,
  -0.0004996010814969171, 0, 0.0005003989660005341, 0.34573123063700656, 0.841344746068543, 1.399789198096713, 2.99595030590511, 4.999998566742141];
// torch gelu(approximate='tanh') on float32 (float32 evaluation: compare at float32 rounding)
const GELU_TANH = [-2.980232238769531e-7, -0.0036374330520629883, -0.10042843222618103, -0.15880799293518066, -0.1542859971523285,
  -0.0004996010684408247, 0, 0.0005003989790566266, 0.3457140028476715, 0.8411920070648193, 1.3995715379714966, 2.9963626861572266, 4.999999523162842];
// torch silu on float32
const SILU = [-0.033464252948760986, -0.14227761328220367, -0.2736382782459259, -0.2689414322376251, -0.1887703388929367,
  -0.0004997500218451023, 0, 0.000500250025652349, 0.3112296760082245, 0.7310585975646973, 1.226361632347107, 2.857722520828247, 4.966535568237305];
// x * torch.sigmoid(1.702 * x) on float32
const QUICK = [-0.0010070160496979952, -0.018071310594677925, -0.10833780467510223, -0.15420423448085785, -0.14961156249046326,
  -0.0004995745257474482, 0, 0.0005004255217500031, 0.35038843750953674, 0.845795750617981, 1.3916622400283813, 2.981928825378418, 4.998992919921875];


/** Both error budgets: torch's float32 rounding and a vectorized kernel's own. */
function sumTol(a: Tolerance, b: Tolerance): Tolerance {
  return { abs: a.abs + b.abs, rel: a.rel + b.rel };
}

/** erf by its Maclaurin series, 2/sqrt(pi) sum (-1)^n x^(2n+1) / (n! (2n+1)): exact to ~1e-15 for |x| <= 2. */
function erfSeries(x: number): number {
  let term = x; // (-1)^n x^(2n+1) / n!
  let sum = x;
  for (let n = 1; n < 60; n++) {
    term *= (-x * x) / n;
    sum += term / (2 * n + 1);
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}

describe('erf (kernels/math.ts)', () => {
  it('matches the Maclaurin series on a dense grid of [-2, 2] (crosses the |x| = 1 branch)', () => {
    for (let i = -2000; i <= 2000; i++) {
      const x = i / 1000 + 1e-4; // off the grid points of the Chebyshev nodes
      const want = erfSeries(x);
      expect(Math.abs(erf(x) - want), `erf(${x})`).toBeLessThanOrEqual(2e-15 * Math.abs(want) + 1e-300);
    }
  });

  it('matches Python math.erf to ~1e-15 relative', () => {
    // (x, math.erf(x)) printed by Python 3
    const table: [number, number][] = [
      [1e-8, 1.1283791670955126e-8], [0.001, 0.0011283787909692365], [0.1, 0.1124629160182849], [0.5, 0.5204998778130465],
      [0.9999, 0.8426592780487595], [1.0, 0.8427007929497149], [1.7, 0.9837904585907745], [2.5, 0.999593047982555],
      [3.3, 0.9999969422902035], [4.0, 0.9999999845827421], [5.5, 0.9999999999999927], [6.5, 1.0],
    ];
    for (const [x, want] of table) {
      expect(Math.abs(erf(x) - want) / want, `erf(${x})`).toBeLessThan(1e-14);
      expect(erf(-x), `erf(-${x})`).toBe(-erf(x)); // odd
    }
    expect(Object.is(erf(-0), -0)).toBe(true);
    expect(erf(Infinity)).toBe(1);
    expect(erf(-Infinity)).toBe(-1);
    expect(erf(NaN)).toBeNaN();
  });
});

describe('activations: values', () => {
  for (const be of ['ref', ...fastBackendsOf('gelu')]) {
    it(`gelu, geluTanh, silu, quickGelu vs PyTorch (${be})`, () => {
      withBackend(be, () => {
        const x = tensor(X);
        // ref and js evaluate gelu in float64 and round once: within half an ulp of the float64 reference.
        // Vectorized float32 math (wasm) carries its own documented bound.
        const exactTol = be === 'ref' || be === 'js' ? TOL.f32HalfUlp : TOL.f32VectorMath;
        expectClose(gelu(x), GELU, exactTol, 'gelu');
        const torchTol = be === 'ref' || be === 'js' ? TOL.f32VsTorchF32 : sumTol(TOL.f32VsTorchF32, TOL.f32VectorMath);
        expectClose(geluTanh(x), GELU_TANH, torchTol, 'geluTanh');
        expectClose(silu(x), SILU, torchTol, 'silu');
        expectClose(quickGelu(x), QUICK, torchTol, 'quickGelu');
      });
    });

    it(`relu keeps NaN and -0 like torch.relu; gelu(-0) = -0 (${be})`, () => {
      withBackend(be, () => {
        const r = relu(tensor([-2, -0, 0, 3, NaN, -Infinity, Infinity])).toArray();
        expect(Array.from(r)).toEqual([0, -0, 0, 3, NaN, 0, Infinity]);
        expect(Object.is(r[1], -0)).toBe(true);
        // 0.5 * -0 * (1 + erf(-0)) = -0
        expect(Object.is(gelu(tensor([-0])).get(0), -0)).toBe(true);
        // gelu saturates: x for large x, -0 or tiny negative for very negative x
        expect(Array.from(gelu(tensor([-30, 30, Infinity])).toArray())).toEqual([-0, 30, Infinity]);
        expect(gelu(tensor([NaN])).get(0)).toBeNaN();
        expect(gelu(rand([0, 3], 1)).shape).toEqual([0, 3]);
      });
    });
  }
});

describe('activation(name): HF hidden_act names', () => {
  it('maps ACT2FN names to our ops', () => {
    expect(resolveActivation('gelu')).toBe('gelu');
    expect(resolveActivation('gelu_new')).toBe('geluTanh');
    expect(resolveActivation('gelu_pytorch_tanh')).toBe('geluTanh');
    expect(resolveActivation('gelu_fast')).toBe('geluTanh');
    expect(resolveActivation('quick_gelu')).toBe('quickGelu');
    expect(resolveActivation('swish')).toBe('silu');
    expect(resolveActivation('silu')).toBe('silu');
    expect(resolveActivation('relu')).toBe('relu');
    const x = tensor([-1, 0.5, 2]);
    expect(activation('gelu_new', x).toNested()).toEqual(geluTanh(x).toNested());
    expect(activation('quick_gelu', x).toNested()).toEqual(quickGelu(x).toNested());
  });

  it('an unknown name is a typed error listing the known names', () => {
    expect(() => activation('mish', tensor([1]))).toThrow(UnknownActivationError);
    expect(() => activation('mish', tensor([1]))).toThrow(/'mish'.*gelu_new.*quick_gelu/);
    expect(() => gelu(intTensor([1]))).toThrow(DTypeError);
  });
});

describe('activations: fast backends vs ref', () => {
  const ops = { gelu, geluTanh, quickGelu, silu, relu };
  for (const be of fastBackendsOf('gelu')) {
    it(`${be}: awkward sizes and views`, () => {
      const inputs: [string, Tensor][] = [];
      for (const n of [1, 3, 7, 13, 31, 65, 197, 769]) inputs.push([`n=${n}`, rand([n], n, 6)]);
      inputs.push(['transposed', rand([13, 31], 1, 6).transpose()]);
      inputs.push(['strided', rand([7, 65], 2, 6).slice(1, 1, 65, 4)]);
      inputs.push(['expanded', rand([1, 9], 3, 6).expand(5, 9)]);
      inputs.push(['wide range', rand([2000], 4, 12)]);
      for (const [opName, f] of Object.entries(ops)) {
        for (const [name, x] of inputs) {
          expectClose(withBackend(be, () => f(x)), withBackend('ref', () => f(x)), TOL.f32Kernel, `${be} ${opName} ${name}`);
        }
      }
    });
  }
});
