// The patchwise CLI in-process: classify on the ten bundled samples (each must get its own class, as the
// sample README states they are all predicted correctly), embed / inspect output formats, help and version,
// and the error contract (one line on stderr, exit 2 for usage, 1 otherwise, a stack only with --debug).

import { afterAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI_DATA, DATA, SAMPLES, cli, expectOneLineError, readTensors, tempDir } from './cli-helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

/** Sample file name -> Fashion-MNIST label (assets/samples/SOURCES.md: files are renamed by class). */
const LABEL_OF_FILE: Record<string, string> = {
  't-shirt-top.png': 'T-shirt/top',
  'trouser.png': 'Trouser',
  'pullover.png': 'Pullover',
  'dress.png': 'Dress',
  'coat.png': 'Coat',
  'sandal.png': 'Sandal',
  'shirt.png': 'Shirt',
  'sneaker.png': 'Sneaker',
  'bag.png': 'Bag',
  'ankle-boot.png': 'Ankle boot',
};

interface ClassifyJson {
  model: string;
  results: { image: string; top: { index: number; label: string; probability: number }[] }[];
}

describe('classify', () => {
  it('labels each of the 10 bundled samples with its own class (default model)', async () => {
    const files = readdirSync(SAMPLES).filter((f) => f.endsWith('.png')).sort();
    expect(files).toHaveLength(10);
    const r = await cli('classify', ...files.map((f) => join(SAMPLES, f)), '--json', '--top', '3');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as ClassifyJson;
    expect(j.results).toHaveLength(10);
    for (const res of j.results) {
      const file = res.image.split('/').pop()!;
      expect(res.top[0]!.label, file).toBe(LABEL_OF_FILE[file]);
      expect(res.top).toHaveLength(3);
      // probabilities sorted, in (0, 1]
      expect(res.top[0]!.probability).toBeGreaterThanOrEqual(res.top[1]!.probability);
      expect(res.top[0]!.probability).toBeLessThanOrEqual(1);
    }
  });

  it('--top over all classes gives probabilities that sum to 1 (softmax)', async () => {
    const r = await cli('classify', join(SAMPLES, 'bag.png'), '--json', '--top', '100');
    const top = (JSON.parse(r.stdout) as ClassifyJson).results[0]!.top;
    expect(top).toHaveLength(10); // capped at the number of classes
    expect(top.reduce((s, p) => s + p.probability, 0)).toBeCloseTo(1, 5);
  });

  it('text output names the image and its label', async () => {
    const r = await cli('classify', join(SAMPLES, 'trouser.png'), '--top', '1');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/trouser\.png\n\s+\d\.\d{4}\s+Trouser\n$/);
  });

  it('fails clearly on a model without a classifier head', async () => {
    const r = await cli('classify', '--pixels', join(DATA, 'hf-vit-model-pooler', 'expected.safetensors'), '--model', join(DATA, 'hf-vit-model-pooler'));
    expect(r.code).toBe(1);
    expect(expectOneLineError(r)).toMatch(/no classification head/);
  });
});

describe('embed', () => {
  it('--json: one vector per image, default pool cls for ViTForImageClassification', async () => {
    const r = await cli('embed', join(SAMPLES, 'bag.png'), join(SAMPLES, 'coat.png'), '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as { pool: string; dim: number; results: { image: string; embedding: number[] }[] };
    expect(j.pool).toBe('cls');
    expect(j.dim).toBe(64);
    expect(j.results.map((x) => x.embedding.length)).toEqual([64, 64]);
  });

  it('--out writes embeddings [N, D] and the image paths in the metadata', async () => {
    const out = join(tmp.dir, 'emb.safetensors');
    const imgs = [join(SAMPLES, 'bag.png'), join(SAMPLES, 'dress.png'), join(SAMPLES, 'shirt.png')];
    const r = await cli('embed', ...imgs, '--pool', 'mean', '--out', out);
    expect(r.code).toBe(0);
    const { tensors, metadata } = await readTensors(out);
    expect(tensors.get('embeddings')!.shape).toEqual([3, 64]);
    expect(JSON.parse(metadata!['paths']!)).toEqual(imgs);
    expect(metadata!['pool']).toBe('mean');
  });

  it('--pool pooler on a model without one, and a bad --pool value', async () => {
    const a = await cli('embed', join(SAMPLES, 'bag.png'), '--pool', 'pooler');
    expect(a.code).toBe(1);
    expect(expectOneLineError(a)).toMatch(/no pooler_output/);
    const b = await cli('embed', join(SAMPLES, 'bag.png'), '--pool', 'max');
    expect(b.code).toBe(2);
    expect(expectOneLineError(b)).toMatch(/--pool must be one of cls\|mean\|pooler\|projected/);
  });
});

describe('embed: bulk seam (a directory argument goes to packages/vit/src/bulk runBulkEmbed)', () => {
  it('a directory gives the same rows and paths as the same files listed one by one', async () => {
    const files = readdirSync(SAMPLES).filter((f) => f.endsWith('.png')).sort().map((f) => join(SAMPLES, f));
    const bulkOut = join(tmp.dir, 'bulk.safetensors');
    const listOut = join(tmp.dir, 'list.safetensors');
    const a = await cli('embed', SAMPLES, '--out', bulkOut, '--batch', '4');
    expect(a.stderr).toBe('');
    expect(a.code).toBe(0);
    expect((await cli('embed', ...files, '--out', listOut)).code).toBe(0);
    const bulk = await readTensors(bulkOut);
    const list = await readTensors(listOut);
    const paths = JSON.parse(bulk.metadata!['paths']!) as string[];
    expect(paths.map((p) => p.split('/').pop())).toEqual(files.map((f) => f.split('/').pop()));
    // each row depends only on its own image: batching (4 vs 16 per pass) must not change a single bit
    expect(Array.from(bulk.tensors.get('embeddings')!.toArray())).toEqual(Array.from(list.tensors.get('embeddings')!.toArray()));
  });
  it('a bulk job without --out is a usage error; --shard on plain files too', async () => {
    const r = await cli('embed', SAMPLES);
    expect(r.code).toBe(2);
    expect(expectOneLineError(r)).toMatch(/needs --out/);
    expect((await cli('embed', join(SAMPLES, 'bag.png'), '--shard', '0/2')).code).toBe(2);
  });
});

describe('inspect', () => {
  it('the bundled model: family, config, 139,018 parameters (its README), tensor table', async () => {
    const r = await cli('inspect', join(DATA, 'models', 'vit-fashion-mnist'));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/family\s+vit \(ViTForImageClassification/);
    expect(r.stdout).toMatch(/28x28, patch 4 -> 7x7 = 49 patches, 1 channel/);
    expect(r.stdout).toMatch(/parameters\s+139,018/);
    expect(r.stdout).toMatch(/vit\.embeddings\.patch_embeddings\.projection\.weight\s+F32\s+\[64, 1, 4, 4\]/);
    // bytes of F32 data = 4 per parameter
    expect(r.stdout).toMatch(/bytes\s+556,072/);
  });

  it('an unsupported config.json still shows the tensor table, with the config error named', async () => {
    const d = join(tmp.dir, 'swin-like');
    mkdirSync(d);
    copyFileSync(join(DATA, 'models', 'vit-fashion-mnist', 'model.safetensors'), join(d, 'model.safetensors'));
    writeFileSync(join(d, 'config.json'), JSON.stringify({ model_type: 'swin' }));
    const r = await cli('inspect', d, '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as { config: unknown; configError: string; tensors: unknown[]; parameters: number };
    expect(j.config).toBeNull();
    expect(j.configError).toMatch(/model_type "swin"/);
    expect(j.tensors).toHaveLength(72);
    expect(j.parameters).toBe(139018);
  });

  it('--json on a single safetensors file (F16 weights: 2 bytes per parameter)', async () => {
    const r = await cli('inspect', join(DATA, 'hf-vit-tiny-random', 'model.f16.safetensors'), '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as { kind: string; config: unknown; tensors: { name: string; dtype: string; shape: number[] }[]; parameters: number; bytes: number };
    expect(j.kind).toBe('file');
    expect(j.config).toBeNull();
    expect(j.tensors.every((t) => t.dtype === 'F16')).toBe(true);
    expect(j.bytes).toBe(2 * j.parameters);
    const cls = j.tensors.find((t) => t.name === 'vit.embeddings.cls_token')!;
    expect(cls.shape).toEqual([1, 1, 64]); // hidden_size 64 (fixture README)
  });
});

describe('help and version', () => {
  it('--version prints the package version', async () => {
    const r = await cli('--version');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^patchwise \d+\.\d+\.\d+\n$/);
  });
  it('--help lists every command; <command> --help shows its options', async () => {
    const r = await cli('--help');
    expect(r.code).toBe(0);
    for (const c of ['classify', 'embed', 'encode', 'inspect', 'zero-shot', 'similarity', 'tokens', 'tokenize', 'where']) expect(r.stdout).toContain(`  ${c} `);
    const c = await cli('classify', '--help');
    expect(c.code).toBe(0);
    expect(c.stdout).toMatch(/^usage: patchwise classify/);
    expect(c.stdout).toContain('--top K');
    expect((await cli('help', 'encode')).stdout).toContain('--hidden-states');
  });
  it('no arguments: usage on stderr, exit 2', async () => {
    const r = await cli();
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^usage: patchwise <command>/);
  });
});

describe('errors: one line on stderr and a non-zero exit', () => {
  it('missing image -> exit 1', async () => {
    const r = await cli('classify', join(tmp.dir, 'nope.png'));
    expect(r.code).toBe(1);
    expect(expectOneLineError(r)).toBe(`patchwise: image ${join(tmp.dir, 'nope.png')}: no such file`);
  });
  it('corrupt image -> exit 1, the message names the file', async () => {
    const bad = join(tmp.dir, 'corrupt.png');
    writeFileSync(bad, Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('not really a png')]));
    const r = await cli('classify', bad);
    expect(r.code).toBe(1);
    expect(expectOneLineError(r)).toContain('corrupt.png');
  });
  it('a file that is not an image at all -> exit 1', async () => {
    const txt = join(tmp.dir, 'notes.png');
    writeFileSync(txt, 'hello');
    const r = await cli('embed', txt);
    expect(r.code).toBe(1);
    expect(expectOneLineError(r)).toContain('notes.png');
  });
  it('unknown option -> exit 2, names the known ones', async () => {
    const r = await cli('classify', join(SAMPLES, 'bag.png'), '--tpo', '3');
    expect(r.code).toBe(2);
    expect(expectOneLineError(r)).toMatch(/unknown option --tpo \(known: --model, --top/);
  });
  it('unknown command and bad option value -> exit 2', async () => {
    expect((await cli('clasify', 'x.png')).code).toBe(2);
    const r = await cli('classify', join(SAMPLES, 'bag.png'), '--top', 'three');
    expect(r.code).toBe(2);
    expect(expectOneLineError(r)).toMatch(/--top expects an integer >= 1, got 'three'/);
  });
  it('model folder without config.json -> exit 1', async () => {
    const empty = join(tmp.dir, 'empty-model');
    mkdirSync(empty);
    const r = await cli('classify', join(SAMPLES, 'bag.png'), '--model', empty);
    expect(r.code).toBe(1);
    expect(expectOneLineError(r)).toMatch(/has no config\.json/);
  });
  it('model folder without weights -> exit 1 naming the folder', async () => {
    const noWeights = join(tmp.dir, 'no-weights');
    mkdirSync(noWeights);
    writeFileSync(join(noWeights, 'config.json'), JSON.stringify({ model_type: 'vit', architectures: ['ViTModel'], image_size: 32, patch_size: 8, hidden_size: 64, num_hidden_layers: 1, num_attention_heads: 4, intermediate_size: 128 }));
    const r = await cli('embed', join(SAMPLES, 'bag.png'), '--model', noWeights);
    expect(r.code).toBe(1);
    expect(expectOneLineError(r)).toMatch(/model\.safetensors/);
  });
  it('no input, and both images and --pixels -> exit 2', async () => {
    expect((await cli('classify')).code).toBe(2);
    const r = await cli('classify', join(SAMPLES, 'bag.png'), '--pixels', join(CLI_DATA, 'x.safetensors'));
    expect(r.code).toBe(2);
    expect(expectOneLineError(r)).toMatch(/not both/);
  });
  it('--debug adds the stack trace', async () => {
    const r = await cli('classify', join(tmp.dir, 'nope.png'), '--debug');
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n')[0]).toMatch(/^patchwise: image .*nope\.png: no such file$/);
    expect(r.stderr).toMatch(/\n\s+at /);
  });
});
