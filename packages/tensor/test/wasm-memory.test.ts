// The wasm heap: bump allocation with mark/release, WasmStorage views that survive memory growth, kernels that
// stay correct when memory grows between packing and use or in the middle of a call, and a warmed-up sequence of
// kernels (one "forward pass") that allocates nothing and never grows memory again.
// Non-shared memories are used on purpose: their old ArrayBuffer detaches on grow, so a stale view reads nothing.
import { afterAll, describe, expect, it } from 'vitest';
import { Tensor, withBackend, linear, prepareLinear, layerNorm, softmax, attention } from '@patchwise/tensor';
import { WasmHeap, WasmStorage } from '../src/kernels/wasm/memory.js';
import { setWasmRuntime } from '../src/kernels/wasm/runtime.js';
import { TOL } from './tolerances.js';
import { randInt, expectClose } from './helpers.js';

afterAll(() => {
  setWasmRuntime({});
});

describe('WasmHeap', () => {
  it('aligns, marks and releases (stack discipline), and refuses a bad release', () => {
    const heap = new WasmHeap({ initialPages: 1, maximumPages: 64 });
    const a = heap.alloc(10);
    expect(a % 16).toBe(0);
    const m = heap.mark();
    const b = heap.alloc(100);
    expect(b).toBeGreaterThanOrEqual(a + 10);
    heap.release(m);
    expect(heap.alloc(100)).toBe(b); // the same bytes again
    expect(() => heap.release(heap.mark() + 64)).toThrow(RangeError);
  });

  it('WasmStorage.view() is re-created after a grow; a view taken before is detached (non-shared)', () => {
    const heap = new WasmHeap({ initialPages: 1, maximumPages: 256, shared: false });
    const st = WasmStorage.alloc(heap, 'float32', 4);
    const before = st.view();
    before.set([1, 2, 3, 4]);
    const grows = heap.growCount;
    heap.alloc(3 * 65536); // forces memory.grow
    expect(heap.growCount).toBeGreaterThan(grows);
    expect(before.length).toBe(0); // the old buffer detached: any stale use would read nothing
    expect([...st.view()]).toEqual([1, 2, 3, 4]);
    // A tensor over wasm storage works with the ordinary Tensor API.
    const t = new Tensor(st, [2, 2]);
    expect(t.toNested()).toEqual([[1, 2], [3, 4]]);
  });

  it('throws a RangeError past the maximum instead of corrupting memory', () => {
    const heap = new WasmHeap({ initialPages: 1, maximumPages: 2 });
    expect(() => heap.alloc(3 * 65536)).toThrow(/exceed 2 pages/);
  });
});

describe('kernels across memory growth', () => {
  it('packed weights stay valid when memory grows between packing and use, and during a call', () => {
    const rt = setWasmRuntime({ shared: false, maximumPages: 4096 });
    const W = randInt([48, 40], 1);
    const b = randInt([48], 2);
    const lw = prepareLinear(W, b);
    const x = randInt([5, 40], 3);
    const want = withBackend('ref', () => linear(x, lw));
    expectClose(withBackend('wasm', () => linear(x, lw)), want, TOL.exact, 'first call');
    // grow between packing and the next call
    const g0 = rt.heap.growCount;
    rt.heap.alloc(rt.heap.byteLength); // more than is free: must grow
    expect(rt.heap.growCount).toBeGreaterThan(g0);
    expectClose(withBackend('wasm', () => linear(x, lw)), want, TOL.exact, 'after a grow');
    // a call whose own scratch grows memory (a much bigger input than any before)
    const rows = Math.ceil((rt.heap.byteLength - rt.heap.used) / ((40 + 48) * 4)) + 100; // scratch > free space
    const big = randInt([rows, 40], 4);
    const g1 = rt.heap.growCount;
    const got = withBackend('wasm', () => linear(big, lw));
    expect(rt.heap.growCount).toBeGreaterThan(g1);
    expectClose(got, withBackend('ref', () => linear(big, lw)), TOL.exact, 'grow inside the call');
  });

  it('a warmed-up sequence of kernels allocates nothing and never grows memory', () => {
    const rt = setWasmRuntime({ shared: false });
    const D = 64;
    const fc = prepareLinear(randInt([3 * D, D], 5), randInt([3 * D], 6));
    const lnW = randInt([D], 7);
    const step = (x: Tensor): Tensor => {
      const h = layerNorm(x, D, lnW, null); // [T, D]
      const qkv = linear(h, fc).view(1, 17, 3, 4, 16); // [1, T, 3, H, Dh]
      const heads = (i: number): Tensor => qkv.select(2, i).permute(0, 2, 1, 3); // [1, H, T, Dh]
      const a = attention(heads(0), heads(1), heads(2), { returnProbs: true });
      return softmax(a.output);
    };
    const x = randInt([17, D], 8);
    const first = withBackend('wasm', () => step(x));
    const used = rt.heap.used;
    const grows = rt.heap.growCount;
    const second = withBackend('wasm', () => step(x));
    expect(rt.heap.used).toBe(used);
    expect(rt.heap.growCount).toBe(grows);
    expectClose(second, first, TOL.exact, 'same result twice');
  });
});
