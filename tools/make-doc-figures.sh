#!/bin/sh
# Regenerates the figures of docs/walkthrough.md (docs/images/walkthrough/) with the patchwise CLI on the
# bundled model and sample, and the explain report they come with. Run from anywhere: sh tools/make-doc-figures.sh
set -e
cd "$(dirname "$0")/.."
pw() { npx tsx packages/vit/src/cli/main.ts "$@"; }
img=packages/vit/assets/samples/ankle-boot.png
out=docs/images/walkthrough
mkdir -p "$out"
pw explain "$img" --save "$out" > "$out/explain.txt"
pw attention "$img" --out "$out/attention-rollout.png"
for h in 0 1 2 3; do pw attention "$img" --method last-cls --head "$h" --out "$out/last-cls-head-$h.png"; done
echo "wrote $(ls "$out" | wc -l) files to $out"
