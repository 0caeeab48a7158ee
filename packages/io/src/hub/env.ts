// Hub settings from the environment, resolved as huggingface_hub does (constants.py): HF_ENDPOINT,
// HF_HOME, HF_HUB_CACHE (and the older HUGGINGFACE_HUB_CACHE), HF_HUB_OFFLINE, HF_TOKEN (and the token file
// under HF_HOME that `huggingface-cli login` writes). Optimized for sharing Python's cache both ways.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';

export type Env = Readonly<Record<string, string | undefined>>;

export const DEFAULT_ENDPOINT = 'https://huggingface.co';

/** huggingface_hub constants._is_true: "1", "ON", "YES", "TRUE" in any case. */
export function envTrue(value: string | undefined): boolean {
  return value !== undefined && ['1', 'ON', 'YES', 'TRUE'].includes(value.trim().toUpperCase());
}

function expandHome(p: string): string {
  return p === '~' || p.startsWith('~/') ? join(homedir(), p.slice(1)) : p;
}

function nonEmpty(v: string | undefined): string | undefined {
  return v !== undefined && v !== '' ? v : undefined;
}

/** $HF_HOME, else $XDG_CACHE_HOME/huggingface, else ~/.cache/huggingface. */
export function hfHome(env: Env = process.env): string {
  const home = nonEmpty(env.HF_HOME);
  if (home !== undefined) return expandHome(home);
  const xdg = nonEmpty(env.XDG_CACHE_HOME);
  return join(xdg !== undefined ? expandHome(xdg) : join(homedir(), '.cache'), 'huggingface');
}

/** $HF_HUB_CACHE, else $HUGGINGFACE_HUB_CACHE, else $HF_HOME/hub. */
export function hubCacheDir(env: Env = process.env): string {
  const dir = nonEmpty(env.HF_HUB_CACHE) ?? nonEmpty(env.HUGGINGFACE_HUB_CACHE);
  return dir !== undefined ? expandHome(dir) : join(hfHome(env), 'hub');
}

/** $HF_ENDPOINT without a trailing slash, else https://huggingface.co. */
export function hubEndpoint(env: Env = process.env): string {
  return (nonEmpty(env.HF_ENDPOINT) ?? DEFAULT_ENDPOINT).replace(/\/+$/, '');
}

export function hubOffline(env: Env = process.env): boolean {
  return envTrue(env.HF_HUB_OFFLINE);
}

/**
 * $HF_TOKEN, else the legacy $HUGGING_FACE_HUB_TOKEN, else the file $HF_TOKEN_PATH or $HF_HOME/token.
 * The value is only ever put in an Authorization header; it is never logged or put in an error message.
 */
export function hubToken(env: Env = process.env): string | undefined {
  const fromEnv = nonEmpty(env.HF_TOKEN?.trim()) ?? nonEmpty(env.HUGGING_FACE_HUB_TOKEN?.trim());
  if (fromEnv !== undefined) return fromEnv;
  const path = nonEmpty(env.HF_TOKEN_PATH) !== undefined ? expandHome(env.HF_TOKEN_PATH!) : join(hfHome(env), 'token');
  try {
    return nonEmpty(readFileSync(path, 'utf8').trim());
  } catch {
    return undefined; // no token file: anonymous access
  }
}
