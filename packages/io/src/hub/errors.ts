// HubError: the one exception type of the hub downloader and cache, with a `kind` callers can branch on.
// Optimized for messages a user can act on (which repo, which file, what to do), never showing the token.
// Kinds follow huggingface_hub's errors (utils/_errors.py: RepositoryNotFoundError, GatedRepoError, ...).

export type HubErrorKind =
  | 'InvalidRepoId' // not "owner/name[@revision]" and not an existing local folder
  | 'UnsafeName' // a file name, revision, etag or commit that could escape the cache (absolute, '..', '\')
  | 'RepoNotFound' // 404 on the repo (or 401 without a token: the hub hides private repos)
  | 'RevisionNotFound' // 404 on the revision
  | 'EntryNotFound' // 404 on one file of an existing repo
  | 'Unauthorized' // 401/403: gated or private repo; set HF_TOKEN
  | 'Offline' // HF_HUB_OFFLINE (or no network) and the file is not in the cache
  | 'Network' // connection failures and 5xx after all retries
  | 'BadResponse' // the server answered something we cannot use (no ETag, bad redirect, non-JSON listing)
  | 'SizeMismatch' // the bytes received do not match X-Linked-Size / Content-Length
  | 'ChecksumMismatch' // the sha256 (LFS) or git blob sha1 of the bytes does not match the ETag
  | 'DiskFull' // ENOSPC while writing, or less free space than the file needs
  | 'UnsupportedFormat' // only pytorch_model.bin (pickle) or no weights at all
  | 'ConfigRefused'; // config.json values that would allocate absurd amounts

export class HubError extends Error {
  override readonly name = 'HubError';
  readonly kind: HubErrorKind;
  constructor(kind: HubErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.kind = kind;
  }
}
