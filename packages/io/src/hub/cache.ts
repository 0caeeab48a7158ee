// The Hugging Face cache layout on disk: models--owner--name/{blobs/<etag>, snapshots/<commit>/<file>,
// refs/<revision>, .no_exist/<commit>/<file>}, pointers as relative symlinks (a copy where symlinks fail).
// Optimized for sharing the cache with Python both ways and for never exposing a partial file.
// Matches huggingface_hub file_download.py (_hf_hub_download_to_cache_dir, _create_symlink,
// _cache_commit_hash_for_specific_revision, try_to_load_from_cache).
import { promises as fsp } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { randomBytes } from 'node:crypto';
import { HubError } from './errors.js';
import { COMMIT_RE, repoFolderName, validateRepoFilename } from './names.js';

export class RepoCache {
  /** <cache>/models--owner--name */
  readonly root: string;

  constructor(readonly cacheDir: string, readonly repoId: string) {
    this.root = join(cacheDir, repoFolderName(repoId));
  }

  blobPath(etag: string): string {
    return this.inside(join(this.root, 'blobs', etag));
  }

  snapshotDir(commit: string): string {
    return this.inside(join(this.root, 'snapshots', commit));
  }

  /** snapshots/<commit>/<file>; the file name is validated again here so no caller can skip it. */
  pointerPath(commit: string, filename: string): string {
    validateRepoFilename(filename, `${this.repoId}@${commit}`);
    return this.inside(join(this.snapshotDir(commit), ...filename.split('/')));
  }

  refPath(revision: string): string {
    return this.inside(join(this.root, 'refs', ...revision.split('/')));
  }

  noExistPath(commit: string, filename: string): string {
    validateRepoFilename(filename, `${this.repoId}@${commit}`);
    return this.inside(join(this.root, '.no_exist', commit, ...filename.split('/')));
  }

  /** Belt and braces after name validation: every path we touch must resolve inside the repo folder. */
  private inside(p: string): string {
    const rel = relative(resolve(this.root), resolve(p));
    if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
      throw new HubError('UnsafeName', `path ${p} would be outside the cache folder ${this.root}`);
    }
    return p;
  }

  /** refs/<revision> -> commit, or undefined. A 40-hex revision is its own commit. */
  async readRef(revision: string): Promise<string | undefined> {
    if (COMMIT_RE.test(revision)) return revision;
    try {
      const commit = (await fsp.readFile(this.refPath(revision), 'utf8')).trim();
      return COMMIT_RE.test(commit) ? commit : undefined;
    } catch {
      return undefined;
    }
  }

  /** Records revision -> commit (skipped when they are equal or already recorded), written atomically. */
  async writeRef(revision: string, commit: string): Promise<void> {
    if (revision === commit) return;
    const path = this.refPath(revision);
    if ((await this.readRef(revision)) === commit) return;
    await writeFileAtomic(path, commit);
  }

  /** Python marks files known to be absent at a commit with an empty .no_exist/<commit>/<file>. */
  async markNoExist(commit: string, filename: string): Promise<void> {
    const p = this.noExistPath(commit, filename);
    await fsp.mkdir(dirname(p), { recursive: true });
    await fsp.writeFile(p, '');
  }

  async isNoExist(commit: string, filename: string): Promise<boolean> {
    return exists(this.noExistPath(commit, filename));
  }

  /** The pointer for (commit, file) when it exists and resolves to a file (a dangling symlink does not count). */
  async cachedFile(commit: string, filename: string): Promise<string | undefined> {
    const p = this.pointerPath(commit, filename);
    try {
      const st = await fsp.stat(p); // follows the symlink
      return st.isFile() ? p : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * snapshots/<commit>/<file> -> ../../blobs/<etag> as a relative symlink (so the cache can be moved), made
   * under a temporary name and renamed over any old pointer. Where symlinks are not allowed (some Windows
   * setups, some network file systems) the blob is copied instead, as huggingface_hub does.
   */
  async linkPointer(commit: string, filename: string, etag: string): Promise<string> {
    const pointer = this.pointerPath(commit, filename);
    const blob = this.blobPath(etag);
    await fsp.mkdir(dirname(pointer), { recursive: true });
    const tmp = `${pointer}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await fsp.symlink(relative(dirname(pointer), blob), tmp);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EACCES' && code !== 'ENOSYS') throw e;
      await fsp.copyFile(blob, tmp);
    }
    try {
      await fsp.rename(tmp, pointer);
    } catch (e) {
      await fsp.rm(tmp, { force: true });
      throw e;
    }
    return pointer;
  }
}

export async function exists(p: string): Promise<boolean> {
  try {
    await fsp.stat(p);
    return true;
  } catch {
    return false;
  }
}

/** Write to a temporary sibling and rename: readers see the old file or the new one, never half of it. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await fsp.mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await fsp.writeFile(tmp, data);
    await fsp.rename(tmp, path);
  } catch (e) {
    await fsp.rm(tmp, { force: true });
    throw e;
  }
}
