// Child process hosting one onnxruntime-web (wasm) session: ort-web sizes its thread pool once per process
// (env.wasm.numThreads at the first session), so each thread count gets its own process. Optimized for timing
// inside the child (no IPC in the timed loop). Protocol: see ChildRequest / ChildReply in ort-web-host.ts.

import fs from 'node:fs';
import { VIT_SIZES } from '../models/random-vit.js';
import type { VitKey } from '../models/random-vit.js';
import { ortWebRunner } from './onnx-vit.js';
import type { PeerRunner } from './types.js';
import type { ChildReply, ChildRequest } from './ort-web-host.js';

let runner: PeerRunner | null = null;

function reply(m: ChildReply): void {
  process.send!(m);
}

/** OS threads of this process (Linux), to show whether ort-web really started a pool. */
function osThreads(): number {
  try {
    return fs.readdirSync('/proc/self/task').length;
  } catch {
    return -1;
  }
}

async function handle(m: ChildRequest): Promise<void> {
  switch (m.kind) {
    case 'init': {
      const s = VIT_SIZES[m.key as VitKey];
      const before = osThreads();
      const t0 = performance.now();
      runner = await ortWebRunner(new Uint8Array(fs.readFileSync(m.onnxPath)), s, m.threads);
      reply({ kind: 'ready', createMs: performance.now() - t0, osThreadsBefore: before, osThreadsAfter: osThreads() });
      return;
    }
    case 'run': {
      if (!runner) throw new Error('ort-web child: run before init');
      const o = await runner.run(m.pixels, m.batch);
      reply({ kind: 'outputs', logits: o.logits, lastHiddenState: o.lastHiddenState });
      return;
    }
    case 'bench': {
      if (!runner) throw new Error('ort-web child: bench before init');
      const times: number[] = [];
      for (let i = 0; i < m.runs; i++) {
        const t0 = performance.now();
        await runner.run(m.pixels, m.batch);
        times.push(performance.now() - t0);
      }
      reply({ kind: 'times', times });
      return;
    }
    case 'exit':
      if (runner) await runner.dispose();
      process.exit(0);
  }
}

process.on('message', (m: ChildRequest) => {
  handle(m).catch((e: unknown) => {
    reply({ kind: 'error', message: e instanceof Error ? `${e.message}\n${e.stack ?? ''}` : String(e) });
  });
});
// The parent going away must not leave this process behind.
process.on('disconnect', () => process.exit(0));
