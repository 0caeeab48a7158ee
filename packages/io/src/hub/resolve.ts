// resolveModel: "owner/name[@revision]" or a local folder -> a local folder with config.json, the weights
// (model.safetensors, or the index and its shards) and the small side files, fetching only those into the
// shared Hugging Face cache. Optimized for fetching as little as possible and refusing unsafe repositories
// early. Listing matches huggingface_hub hf_api.py model_info (GET /api/models/{id}/revision/{rev}) and
// snapshot_download (resolve the commit once, then download every file at that commit).
import { promises as fsp, type Stats } from 'node:fs';
import { HubError } from './errors.js';
import { COMMIT_RE, parseRepoRef, validateCommit, validateRepoFilename } from './names.js';
import { RepoCache } from './cache.js';
import { getJson, hubContext, hubDownloadWith, type HubContext, type HubOptions } from './download.js';

export interface ResolveModelOptions extends HubOptions {
  /** Also fetch CLIP tokenizer files when the repo has them (vocab.json + merges.txt, else tokenizer.json). Default true. */
  tokenizer?: boolean;
  /** Extra repo files to fetch when present (validated like every other name). */
  extraFiles?: readonly string[];
}

const CONFIG = 'config.json';
const WEIGHTS = 'model.safetensors';
const INDEX = 'model.safetensors.index.json';
const OPTIONAL_SIDE_FILES = ['preprocessor_config.json'];
const TOKENIZER_SIDE_FILES = ['tokenizer_config.json', 'special_tokens_map.json'];
const PICKLE_WEIGHTS = ['pytorch_model.bin', 'pytorch_model.bin.index.json'];

/** Looks like a hub id rather than a path: no leading '.', '/', '~', no backslash, at most one '/'. */
function looksLikeRepoId(s: string): boolean {
  return !/^[./~]/.test(s) && !s.includes('\\') && s.split('/').length <= 2 && !/^[A-Za-z]:/.test(s);
}

/**
 * A local folder is returned unchanged. Anything else is read as "owner/name[@revision]", fetched into the
 * cache (or found there, offline) and the snapshot folder is returned.
 */
export async function resolveModel(idOrPath: string, opts: ResolveModelOptions = {}): Promise<string> {
  let local: Stats | undefined;
  try {
    local = await fsp.stat(idOrPath);
  } catch {
    // not a local path: try it as a hub id below
  }
  if (local?.isDirectory()) return idOrPath;
  if (local !== undefined) {
    throw new HubError('InvalidRepoId', `model ${JSON.stringify(idOrPath)} is a file; expected a model folder (config.json + model.safetensors) or a hub id "owner/name[@revision]"`);
  }
  if (!looksLikeRepoId(idOrPath)) {
    throw new HubError('InvalidRepoId', `model ${JSON.stringify(idOrPath)}: no such folder, and it is not a hub id of the form "owner/name[@revision]"`);
  }
  const ref = parseRepoRef(idOrPath);
  const revision = opts.revision ?? ref.revision;
  const ctx = hubContext(opts);
  const cache = new RepoCache(ctx.cacheDir, ref.repoId);
  if (ctx.offline) return resolveOffline(ctx, cache, ref.repoId, revision);

  let listing: { commit: string; files: Set<string> };
  try {
    listing = await listRepo(ctx, ref.repoId, revision);
  } catch (e) {
    // No network: use what the cache has for this revision, as huggingface_hub does.
    if (e instanceof HubError && e.kind === 'Network') {
      try {
        return await resolveOffline(ctx, cache, ref.repoId, revision);
      } catch {
        throw e;
      }
    }
    throw e;
  }
  const { commit, files } = listing;
  await cache.writeRef(revision, commit);
  const fetch = (name: string): Promise<string> => hubDownloadWith(ctx, ref.repoId, name, commit);

  if (!files.has(CONFIG)) throw new HubError('EntryNotFound', `${ref.repoId}@${revision} has no ${CONFIG}; patchwise needs a transformers-style config`);
  const weights = pickWeights(files, `${ref.repoId}@${revision}`);
  checkConfigLimits(JSON.parse(await fsp.readFile(await fetch(CONFIG), 'utf8')) as unknown, `${ref.repoId}/${CONFIG}`);

  for (const name of sideFiles(files, opts)) await fetch(name);
  if (weights === WEIGHTS) {
    await fetch(WEIGHTS);
  } else {
    const shards = shardNames(await fsp.readFile(await fetch(INDEX), 'utf8'), `${ref.repoId}/${INDEX}`);
    for (const shard of shards) {
      if (!files.has(shard)) throw new HubError('EntryNotFound', `${ref.repoId}/${INDEX} names shard ${shard}, which is not in the repository`);
    }
    for (const shard of shards) await fetch(shard);
  }
  return cache.snapshotDir(commit);
}

/** The repo's commit for `revision` and its file names (hub API model_info). */
async function listRepo(ctx: HubContext, repoId: string, revision: string): Promise<{ commit: string; files: Set<string> }> {
  const url = `${ctx.endpoint}/api/models/${repoId}/revision/${encodeURIComponent(revision)}`;
  const info = (await getJson(ctx, url, repoId, revision)) as { sha?: unknown; siblings?: unknown } | null;
  const commit = validateCommit(typeof info?.sha === 'string' ? info.sha : undefined, `${repoId}@${revision} listing`);
  if (!Array.isArray(info?.siblings)) throw new HubError('BadResponse', `${repoId}@${revision} listing: expected a "siblings" array of files`);
  const files = new Set<string>();
  for (const s of info!.siblings as unknown[]) {
    const name = (s as { rfilename?: unknown } | null)?.rfilename;
    if (typeof name === 'string') files.add(name); // validated when (and only if) we use it
  }
  return { commit, files };
}

function pickWeights(files: ReadonlySet<string>, where: string): string {
  if (files.has(WEIGHTS)) return WEIGHTS;
  if (files.has(INDEX)) return INDEX;
  const pickle = PICKLE_WEIGHTS.find((f) => files.has(f));
  if (pickle !== undefined) {
    throw new HubError('UnsupportedFormat', `${where} has only ${pickle}: that PyTorch pickle format can run arbitrary code when loaded, ` +
      'and patchwise reads safetensors only; use a revision with model.safetensors (on the hub, the "convert to safetensors" ' +
      'bot opens one as a pull request: refs/pr/N), or convert it yourself with safetensors in Python');
  }
  throw new HubError('UnsupportedFormat', `${where} has no ${WEIGHTS} or ${INDEX}; patchwise reads safetensors weights only`);
}

function sideFiles(files: ReadonlySet<string>, opts: ResolveModelOptions): string[] {
  const out = OPTIONAL_SIDE_FILES.filter((f) => files.has(f));
  if (opts.tokenizer ?? true) {
    if (files.has('vocab.json') && files.has('merges.txt')) out.push('vocab.json', 'merges.txt');
    else if (files.has('tokenizer.json')) out.push('tokenizer.json');
    if (out.some((f) => f === 'vocab.json' || f === 'tokenizer.json')) out.push(...TOKENIZER_SIDE_FILES.filter((f) => files.has(f)));
  }
  for (const f of opts.extraFiles ?? []) {
    validateRepoFilename(f, 'extraFiles');
    if (files.has(f)) out.push(f);
  }
  return out;
}

/** Unique shard names of a model.safetensors.index.json weight_map, each validated as a repo path. */
export function shardNames(indexJson: string, where: string): string[] {
  let index: unknown;
  try {
    index = JSON.parse(indexJson);
  } catch {
    throw new HubError('BadResponse', `${where}: expected JSON with a "weight_map" object, found unparsable text`);
  }
  const map = (index as { weight_map?: unknown } | null)?.weight_map;
  if (map === null || typeof map !== 'object' || Array.isArray(map)) {
    throw new HubError('BadResponse', `${where}: expected a "weight_map" object of tensor name -> shard file`);
  }
  const shards = new Set<string>();
  for (const [tensor, shard] of Object.entries(map as Record<string, unknown>)) {
    if (typeof shard !== 'string') throw new HubError('BadResponse', `${where}: weight_map[${JSON.stringify(tensor)}] should be a file name, found ${JSON.stringify(shard)}`);
    validateRepoFilename(shard, `${where} weight_map[${JSON.stringify(tensor)}]`);
    shards.add(shard);
  }
  return [...shards];
}

/** Offline: refs/<revision> -> commit, and every needed file already in snapshots/<commit>. */
async function resolveOffline(ctx: HubContext, cache: RepoCache, repoId: string, revision: string): Promise<string> {
  const commit = await cache.readRef(revision);
  const hint = `run once with network access${ctx.offline ? ', or unset HF_HUB_OFFLINE' : ''}`;
  const offlineWhy = ctx.offline ? 'offline mode (HF_HUB_OFFLINE) is on' : 'the hub cannot be reached';
  if (commit === undefined || !COMMIT_RE.test(commit)) {
    throw new HubError('Offline', `${offlineWhy} and ${repoId}@${revision} is not in the cache ${ctx.cacheDir}; ${hint}`);
  }
  const need = async (name: string): Promise<string> => {
    const p = await cache.cachedFile(commit, name);
    if (p === undefined) throw new HubError('Offline', `${offlineWhy} and ${name} of ${repoId}@${revision} (commit ${commit}) is not in the cache ${ctx.cacheDir}; ${hint}`);
    return p;
  };
  checkConfigLimits(JSON.parse(await fsp.readFile(await need(CONFIG), 'utf8')) as unknown, `${repoId}/${CONFIG}`);
  if ((await cache.cachedFile(commit, WEIGHTS)) !== undefined) return cache.snapshotDir(commit);
  const index = await cache.cachedFile(commit, INDEX);
  if (index !== undefined) {
    for (const shard of shardNames(await fsp.readFile(index, 'utf8'), `${repoId}/${INDEX}`)) await need(shard);
    return cache.snapshotDir(commit);
  }
  for (const pickle of PICKLE_WEIGHTS) {
    // throws the "pickle runs arbitrary code" UnsupportedFormat error
    if ((await cache.cachedFile(commit, pickle)) !== undefined) pickWeights(new Set([pickle]), `${repoId}@${revision}`);
  }
  await need(WEIGHTS);
  return cache.snapshotDir(commit);
}

/**
 * Limits on config.json sizes, checked before any weights are fetched or anything is allocated. Generous
 * for real models (ViT-22B has 48 layers x 6144; LLM text towers go to ~200k vocab) and far below what
 * would exhaust memory from a hostile or broken config.
 */
export const CONFIG_LIMITS: Readonly<Record<string, number>> = {
  num_hidden_layers: 1024,
  hidden_size: 65_536,
  intermediate_size: 1_048_576,
  num_attention_heads: 4096,
  num_key_value_heads: 4096,
  image_size: 16_384,
  patch_size: 16_384,
  num_channels: 64,
  vocab_size: 4_194_304,
  max_position_embeddings: 1_048_576,
  projection_dim: 65_536,
  num_register_tokens: 4096,
  num_labels: 1_048_576,
};

/** Throws ConfigRefused for a size field that is not a positive integer within CONFIG_LIMITS (nested configs too). */
export function checkConfigLimits(config: unknown, where: string, path = ''): void {
  if (config === null || typeof config !== 'object' || Array.isArray(config)) {
    if (path === '') throw new HubError('ConfigRefused', `${where}: expected a JSON object, found ${Array.isArray(config) ? 'an array' : typeof config}`);
    return;
  }
  for (const [key, value] of Object.entries(config as Record<string, unknown>)) {
    const field = path === '' ? key : `${path}.${key}`;
    const limit = CONFIG_LIMITS[key];
    if (limit !== undefined && value !== null && value !== undefined) {
      const values = Array.isArray(value) ? value : [value]; // image_size / patch_size may be [h, w]
      for (const v of values) {
        if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > limit) {
          throw new HubError('ConfigRefused', `${where}: ${field} = ${JSON.stringify(value)} refused: expected an integer in 0..${limit}; ` +
            'a config like this would allocate absurd amounts of memory');
        }
      }
    } else if (key.endsWith('_config') && typeof value === 'object') {
      checkConfigLimits(value, where, field);
    }
  }
}
