// Activation front-ends: gelu (erf), geluTanh, quickGelu, silu, relu, and `activation(name, x)` that maps
// Hugging Face `hidden_act` names to them. Optimized for a stable API; kernels live in kernels/{ref,js}.
// Semantics: torch.nn.functional.gelu/silu/relu and HF transformers/activations.py ACT2FN.

import { Tensor, empty } from '../tensor.js';
import { getKernel, registerKernel } from '../registry.js';
import { refGelu, refGeluTanh, refQuickGelu, refRelu, refSilu } from '../kernels/ref/activation.js';
import { jsGelu, jsGeluTanh, jsQuickGelu, jsRelu, jsSilu } from '../kernels/js/activation.js';

/**
 * Kernel of an elementwise activation: out (contiguous, x's shape, float32) = f(x). `x` may have any strides
 * (transposed, sliced, expanded); `out` is never aliased with `x`.
 */
export type ActivationKernel = (x: Tensor<'float32'>, out: Tensor<'float32'>) => void;

declare module '../registry.js' {
  interface KernelMap {
    gelu: ActivationKernel;
    geluTanh: ActivationKernel;
    quickGelu: ActivationKernel;
    silu: ActivationKernel;
    relu: ActivationKernel;
  }
}

registerKernel('gelu', 'ref', refGelu);
registerKernel('geluTanh', 'ref', refGeluTanh);
registerKernel('quickGelu', 'ref', refQuickGelu);
registerKernel('silu', 'ref', refSilu);
registerKernel('relu', 'ref', refRelu);
registerKernel('gelu', 'js', jsGelu);
registerKernel('geluTanh', 'js', jsGeluTanh);
registerKernel('quickGelu', 'js', jsQuickGelu);
registerKernel('silu', 'js', jsSilu);
registerKernel('relu', 'js', jsRelu);

/** Our activation ops, named like their kernels. Also the epilogues a fused linear() accepts. */
export type ActivationOp = 'gelu' | 'geluTanh' | 'quickGelu' | 'silu' | 'relu';

function runActivation(op: ActivationOp, x: Tensor): Tensor<'float32'> {
  const xf = x.assertDType('float32', op);
  const out = empty(xf.shape);
  if (out.size > 0) getKernel(op)(xf, out);
  return out;
}

/** GELU, exact erf form: 0.5 x (1 + erf(x / sqrt 2)) (torch gelu, approximate='none'). */
export function gelu(x: Tensor): Tensor<'float32'> {
  return runActivation('gelu', x);
}
/** GELU, tanh approximation (torch gelu approximate='tanh'; HF gelu_new, gelu_pytorch_tanh, gelu_fast). */
export function geluTanh(x: Tensor): Tensor<'float32'> {
  return runActivation('geluTanh', x);
}
/** x * sigmoid(1.702 x) (HF quick_gelu, OpenAI CLIP). */
export function quickGelu(x: Tensor): Tensor<'float32'> {
  return runActivation('quickGelu', x);
}
/** x * sigmoid(x) (torch silu; HF silu / swish). */
export function silu(x: Tensor): Tensor<'float32'> {
  return runActivation('silu', x);
}
/** max(x, 0), NaN passes through (torch relu). */
export function relu(x: Tensor): Tensor<'float32'> {
  return runActivation('relu', x);
}

/**
 * HF `hidden_act` names (transformers/activations.py ACT2FN) -> our op. The tanh family (gelu_new,
 * gelu_pytorch_tanh, gelu_fast, gelu_accurate) are the same formula up to float rounding.
 */
export const HF_ACTIVATIONS = {
  gelu: 'gelu',
  gelu_python: 'gelu',
  gelu_new: 'geluTanh',
  gelu_pytorch_tanh: 'geluTanh',
  gelu_fast: 'geluTanh',
  gelu_accurate: 'geluTanh',
  quick_gelu: 'quickGelu',
  relu: 'relu',
  silu: 'silu',
  swish: 'silu',
} as const satisfies Record<string, ActivationOp>;

export type HFActivationName = keyof typeof HF_ACTIVATIONS;

/** An activation name that neither we nor the HF table know. */
export class UnknownActivationError extends Error {
  override readonly name = 'UnknownActivationError';
  constructor(
    readonly activation: string,
    readonly known: readonly string[],
  ) {
    super(`unknown activation '${activation}'; expected one of: ${known.join(', ')}`);
  }
}

/** Resolves an HF `hidden_act` name (or one of our op names) to our activation op; throws UnknownActivationError. */
export function resolveActivation(name: string): ActivationOp {
  if (Object.prototype.hasOwnProperty.call(HF_ACTIVATIONS, name)) return HF_ACTIVATIONS[name as HFActivationName];
  const ours: readonly string[] = ['gelu', 'geluTanh', 'quickGelu', 'silu', 'relu'];
  if (ours.includes(name)) return name as ActivationOp;
  throw new UnknownActivationError(name, [...Object.keys(HF_ACTIVATIONS), ...ours.filter((n) => !(n in HF_ACTIVATIONS))]);
}

/** Applies the activation called `name` (an HF hidden_act name such as 'gelu_new', or one of ours). */
export function activation(name: HFActivationName | ActivationOp | (string & {}), x: Tensor): Tensor<'float32'> {
  return runActivation(resolveActivation(name), x);
}
