// Validation of every name that reaches the file system or a URL: repo ids, revisions, repo file names
// (from the caller, the file listing or a shard index), ETags and commit hashes from response headers.
// Optimized for safety: a repository is untrusted input and must not be able to read or write outside the
// cache. Repo id rules match huggingface_hub utils/_validators.py validate_repo_id.
import { HubError } from './errors.js';

export interface RepoRef {
  /** "owner/name" (or a bare legacy "name") */
  repoId: string;
  /** branch, tag or commit; "main" when not given */
  revision: string;
}

const REPO_ID_RE = /^(?:[\w\-.]+\/)?[\w\-.]+$/;

/** Parses "owner/name[@revision]". Throws InvalidRepoId with the rule that failed. */
export function parseRepoRef(spec: string): RepoRef {
  const at = spec.indexOf('@');
  const repoId = at < 0 ? spec : spec.slice(0, at);
  const revision = at < 0 ? 'main' : spec.slice(at + 1);
  validateRepoId(repoId);
  validateRevision(revision);
  return { repoId, revision };
}

export function validateRepoId(repoId: string): void {
  const bad = (why: string): never => {
    throw new HubError('InvalidRepoId', `repo id ${JSON.stringify(repoId)}: expected "owner/name" (letters, digits, '-', '_', '.'), ${why}`);
  };
  if (repoId.length === 0 || repoId.length > 96) bad(`found ${repoId.length} characters (1..96 allowed)`);
  if (!REPO_ID_RE.test(repoId)) bad('found other characters or more than one "/"');
  if (repoId.includes('--') || repoId.includes('..')) bad('found "--" or ".." which the hub forbids');
  for (const part of repoId.split('/')) {
    if (/^[-.]|[-.]$/.test(part)) bad(`found a part starting or ending with "-" or "."`);
  }
}

/** A path inside a repo: relative, '/'-separated, no '.', '..' or empty segments, no '\', NUL or drive. */
export function validateRepoFilename(name: string, where: string): void {
  const bad = (why: string): never => {
    throw new HubError('UnsafeName', `${where}: refusing file name ${JSON.stringify(name)}: ${why}; a repository may only name files inside itself`);
  };
  if (typeof name !== 'string' || name.length === 0) bad('it is empty');
  if (name.length > 1024) bad('it is longer than 1024 characters');
  if (name.includes('\\')) bad('it contains a backslash');
  if (name.includes('\0')) bad('it contains a NUL character');
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) bad('it is an absolute path');
  for (const seg of name.split('/')) {
    if (seg === '..') bad('it contains a ".." segment');
    if (seg === '.' || seg === '') bad('it contains an empty or "." segment');
  }
}

/** A revision becomes a URL segment and `refs/<revision>`: same rules as a file name ("refs/pr/1" is fine). */
export function validateRevision(revision: string): void {
  try {
    validateRepoFilename(revision, 'revision');
  } catch (e) {
    if (e instanceof HubError) throw new HubError('UnsafeName', e.message.replace('file name', 'revision'));
    throw e;
  }
}

export const COMMIT_RE = /^[0-9a-f]{40}$/;
export const SHA256_RE = /^[0-9a-f]{64}$/;

/** X-Repo-Commit / listing sha: becomes a folder name, so only a 40-hex commit hash is accepted. */
export function validateCommit(commit: string | undefined, where: string): string {
  if (commit === undefined || !COMMIT_RE.test(commit)) {
    throw new HubError('BadResponse', `${where}: expected a 40-hex commit hash (X-Repo-Commit), found ${JSON.stringify(commit ?? null)}`);
  }
  return commit;
}

/**
 * huggingface_hub _normalize_etag: drop a weak "W/" prefix and the quotes. The result names a blob file,
 * so it must be a plain token (hub ETags are 40-hex git sha1 or 64-hex sha256).
 */
export function normalizeEtag(raw: string | undefined, where: string): string {
  if (raw === undefined || raw === '') throw new HubError('BadResponse', `${where}: the server sent no ETag / X-Linked-Etag, so the file cannot be cached`);
  let etag = raw.trim();
  if (etag.startsWith('W/')) etag = etag.slice(2);
  etag = etag.replace(/^"+|"+$/g, '');
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(etag)) {
    throw new HubError('UnsafeName', `${where}: refusing ETag ${JSON.stringify(raw.slice(0, 80))} as a blob name (expected letters, digits, '-' or '_')`);
  }
  return etag;
}

/** models--owner--name (huggingface_hub repo_folder_name). */
export function repoFolderName(repoId: string, repoType = 'model'): string {
  return [`${repoType}s`, ...repoId.split('/')].join('--');
}
