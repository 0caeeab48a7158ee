// CLI of the end-to-end ViT benchmark (bench/e2e/vit.ts): npx tsx bench/e2e/run.ts [--quick] [--json PATH]
// [--models ti,s,b] [--no-load]. --quick: batch 1 only, 3 timed runs, js backend on ViT-Ti only.
import { parseE2EArgs, runE2E } from './vit.js';

await runE2E(parseE2EArgs(process.argv.slice(2)));
