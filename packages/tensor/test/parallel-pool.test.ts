// The worker pool over the shared wasm memory: threaded GEMM and attention give exactly the single-thread result
// (same kernel, same per-element arithmetic; only the split differs) and the ref result on integers; a worker
// that throws, traps or exits raises a BackendError in the caller instead of hanging.
import { afterAll, describe, expect, it } from 'vitest';
import {
  fromArray, withBackend, linear, prepareLinear, attention, BackendError, initWasmBackend, getBackend, setBackend,
} from '@patchwise/tensor';
import { setWasmRuntime } from '../src/kernels/wasm/runtime.js';
import { wasmPackedLinear } from '../src/kernels/wasm/kernels.js';
import { activePool, startThreads, stopThreads, OP_GEMM, OP_TEST_EXIT, OP_TEST_THROW } from '../src/parallel/pool.js';
import { TOL } from './tolerances.js';
import { rand, randInt, expectClose } from './helpers.js';

afterAll(() => {
  stopThreads();
  setWasmRuntime({});
});

describe('thread pool', () => {
  it('threaded linear (column and row splits) equals single-thread exactly, and ref on integers', async () => {
    const rt = setWasmRuntime({ shared: true });
    // [M, K, N]: wide N splits by column panels; N = 8 (one panel) splits by rows
    const cases: [number, number, number][] = [[197, 192, 768], [197, 512, 8], [65, 300, 250]];
    const single = cases.map(([M, K, N]) => {
      const x = rand([M, K], M + K);
      const lw = prepareLinear(rand([N, K], K + N), rand([N], N));
      return { x, lw, out: withBackend('wasm', () => linear(x, lw, null, { activation: 'gelu' })) };
    });
    const pool = await startThreads(rt, { threads: 2 });
    expect(pool.threads).toBe(2);
    for (const [i, { x, lw, out }] of single.entries()) {
      expectClose(withBackend('wasm', () => linear(x, lw, null, { activation: 'gelu' })), out, TOL.exact, `case ${i}`);
    }
    const xi = randInt([197, 256], 1);
    const wi = prepareLinear(randInt([384, 256], 2), randInt([384], 3));
    expectClose(withBackend('wasm', () => linear(xi, wi)), withBackend('ref', () => linear(xi, wi)), TOL.exact, 'integers vs ref');
  });

  it('threaded attention (split by heads, with probabilities) equals single-thread exactly', async () => {
    const rt = setWasmRuntime({ shared: true });
    const q = rand([2, 3, 37, 16], 1);
    const k = rand([2, 3, 37, 16], 2);
    const v = rand([2, 3, 37, 16], 3);
    const one = withBackend('wasm', () => attention(q, k, v, { returnProbs: true }));
    const noProbs = withBackend('wasm', () => attention(q, k, v));
    await startThreads(rt, { threads: 2 });
    const two = withBackend('wasm', () => attention(q, k, v, { returnProbs: true }));
    expectClose(two.output, one.output, TOL.exact, 'output');
    expectClose(two.probs!, one.probs!, TOL.exact, 'probs');
    expectClose(withBackend('wasm', () => attention(q, k, v)).output, noProbs.output, TOL.exact, 'no probs');
  });

  it('a worker that throws or traps raises a BackendError in the caller; the pool keeps working', async () => {
    const rt = setWasmRuntime({ shared: true });
    const pool = await startThreads(rt, { threads: 2, timeoutMs: 20_000 });
    expect(() => pool.run(() => {}, [{ op: OP_TEST_THROW, args: [] }])).toThrow(BackendError);
    expect(() => pool.run(() => {}, [{ op: OP_TEST_THROW, args: [] }])).toThrow(/test failure requested/);
    // a wasm trap: a GEMM whose A pointer is past the end of memory
    const bad = [0x7ffffff0, 64, 4096, 0, 4096, 64, 0, 4, 0, 8, 4, 4, 0];
    expect(() => pool.run(() => {}, [{ op: OP_GEMM, args: bad }])).toThrow(/memory access out of bounds/);
    // still usable afterwards
    const x = randInt([64, 64], 1);
    const lw = prepareLinear(randInt([256, 64], 2));
    expectClose(withBackend('wasm', () => linear(x, lw)), withBackend('ref', () => linear(x, lw)), TOL.exact, 'after errors');
  });

  it('a worker that exits raises a BackendError and marks the pool broken (never a hang)', async () => {
    const rt = setWasmRuntime({ shared: true });
    const pool = await startThreads(rt, { threads: 2, timeoutMs: 20_000 });
    const t0 = Date.now();
    expect(() => pool.run(() => {}, [{ op: OP_TEST_EXIT, args: [] }])).toThrow(/exited/);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(() => pool.run(() => {}, [{ op: OP_GEMM, args: [] }])).toThrow(/broken/);
    stopThreads();
  });

  it('initWasmBackend makes wasm active with a pool of the requested size (threads: 1 = none)', async () => {
    try {
      const rt = await initWasmBackend({ threads: 2 });
      expect(getBackend()).toBe('wasm');
      expect(activePool(rt!)?.threads).toBe(2);
      const rt1 = await initWasmBackend({ threads: 1, relaxed: false });
      expect(rt1!.gemmName).toBe('gemm_simd_4x8');
      expect(activePool(rt1!)).toBeNull();
    } finally {
      stopThreads();
      setBackend('js');
    }
  });

  it('restarting the pool on the same runtime is clean: late exits of old workers do not poison the new slots', async () => {
    const rt = setWasmRuntime({ shared: true });
    const x = randInt([64, 64], 1);
    const lw = prepareLinear(randInt([256, 64], 2));
    const want = withBackend('ref', () => linear(x, lw));
    for (let round = 0; round < 3; round++) {
      await startThreads(rt, { threads: 2 });
      expectClose(withBackend('wasm', () => linear(x, lw)), want, TOL.exact, `round ${round}`);
      stopThreads();
      await new Promise((r) => setTimeout(r, 20)); // let the old worker exit
    }
    const pool = await startThreads(rt, { threads: 2 });
    await new Promise((r) => setTimeout(r, 50));
    expectClose(withBackend('wasm', () => linear(x, lw)), want, TOL.exact, 'after restarts');
    expect(() => pool.run(() => {}, [{ op: OP_TEST_THROW, args: [] }])).toThrow(/test failure requested/);
    stopThreads();
  });

  it('stress: 2000 back-to-back jobs, some taken back by the caller, never hang and stay exact', async () => {
    const rt = setWasmRuntime({ shared: true });
    const x = randInt([16, 32], 1);
    const lw = prepareLinear(randInt([64, 32], 2), randInt([64], 3));
    const want = withBackend('ref', () => linear(x, lw));
    const p = wasmPackedLinear(lw, rt);
    const a = rt.heap.alloc(16 * 32 * 4);
    const c = rt.heap.alloc(16 * 64 * 4);
    rt.copyIn2d(x.data(), 0, 32, 1, 16, 32, a, 32);
    const pool = await startThreads(rt, { threads: 2 });
    for (let i = 0; i < 2000; i++) {
      rt.heap.f32().fill(NaN, c >>> 2, (c >>> 2) + 16 * 64);
      pool.gemm(a, 32 * 4, p.b, p.bias, c, 64 * 4, 16, 64, 32, 0);
      if (i % 250 === 0 || i === 1999) {
        const got = fromArray(rt.heap.f32().slice(c >>> 2, (c >>> 2) + 16 * 64), [16, 64]);
        expectClose(got, want, TOL.exact, `job ${i}`);
      }
    }
    stopThreads();
  });
});
