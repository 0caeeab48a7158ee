// Shared types of the peer benchmarks (onnxruntime-node/-web, tfjs): a runner per (engine, backend, threads)
// that maps pixel_values [B, 3, H, W] to HF ViTForImageClassification outputs. Optimized for a small surface the
// e2e suite can drive; output names follow HF (logits, last_hidden_state).

/** Outputs of one forward pass, dense row-major float32. */
export interface VitOutputs {
  /** [B, labels] */
  logits: Float32Array;
  /** [B, T, D] after the final LayerNorm */
  lastHiddenState: Float32Array;
}

export interface PeerRunner {
  engine: string;
  backend: string;
  threads: number;
  /** pixels: [batch, 3, H, W] row-major. */
  run(pixels: Float32Array, batch: number): Promise<VitOutputs>;
  dispose(): Promise<void>;
}

/** One timing in the suite's stable schema (warmup_ms is extra and printed; drop it for the JSON schema). */
export interface PeerRecord {
  engine: string;
  backend: string;
  model: string;
  batch: number;
  threads: number;
  warmup_ms: number;
  median_ms: number;
  min_ms: number;
  /** Timed runs behind median and min. */
  runs: number;
}

/** Throws unless `pixels` holds exactly [batch, 3, image, image] values. */
export function checkPixels(who: string, pixels: Float32Array, batch: number, image: number): void {
  const want = batch * 3 * image * image;
  if (pixels.length !== want) throw new Error(`${who}: pixel_values has ${pixels.length} values, [${batch}, 3, ${image}, ${image}] needs ${want}`);
}
