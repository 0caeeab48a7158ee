// CLI of our engine's end-to-end benchmark alone (e2e/vit.ts; no peers, nothing stored):
// npx tsx e2e/run.ts [--quick] [--models ti,s,b] [--no-load]. The full suite with the peers is run.ts.
import { parseE2EArgs, runE2E } from './vit.js';

await runE2E(parseE2EArgs(process.argv.slice(2)));
