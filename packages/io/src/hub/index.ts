// Hugging Face hub download + cache for @patchwise/io: resolveModel (id or folder -> local folder) and
// hubDownload (one file), sharing Python's cache layout. Node only (node:fs, node:http, node:https).
export { HubError } from './errors.js';
export type { HubErrorKind } from './errors.js';
export { hubCacheDir, hubEndpoint, hubOffline, hfHome, DEFAULT_ENDPOINT } from './env.js';
export type { Env } from './env.js';
export { parseRepoRef, validateRepoFilename, validateRepoId, normalizeEtag, repoFolderName } from './names.js';
export type { RepoRef } from './names.js';
export { hubDownload, getFileMetadata, hubContext, resolveUrl } from './download.js';
export type { HubOptions, HubContext, FileMetadata } from './download.js';
export { resolveModel, checkConfigLimits, shardNames, CONFIG_LIMITS } from './resolve.js';
export type { ResolveModelOptions } from './resolve.js';
export { formatProgressLine, formatBytes, formatDuration, stderrProgress } from './progress.js';
export type { ProgressSink } from './progress.js';
