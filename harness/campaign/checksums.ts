import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { ConfigError } from '../../core/errors';

/** The checksum file at the top of an evidence folder (GNU `sha256sum -c SHA256SUMS` reads it). */
export const CHECKSUM_FILE = 'SHA256SUMS';

/** SHA-256 of a file, hex. */
export function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** Every regular file under `dir`, as sorted `/`-separated relative paths (the checksum file itself left out). */
export function listEvidenceFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const full = join(d, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.isFile()) out.push(relative(dir, full).split(sep).join('/'));
    }
  };
  walk(dir);
  return out.filter((f) => f !== CHECKSUM_FILE && !f.endsWith(`${CHECKSUM_FILE}.tmp`)).sort();
}

/**
 * Write `<dir>/SHA256SUMS` over every file in the folder (atomically: a temporary file renamed). Lines are
 * `<hex>  <path>` as `sha256sum` writes them. Returns its path.
 */
export function writeChecksums(dir: string): string {
  const lines = listEvidenceFiles(dir).map((f) => `${sha256File(join(dir, f))}  ${f}\n`);
  const path = join(dir, CHECKSUM_FILE);
  writeFileSync(`${path}.tmp`, lines.join(''));
  renameSync(`${path}.tmp`, path);
  return path;
}

/** What `verifyChecksums` found. `ok` when nothing changed, went missing or was added. */
export interface VerifyReport {
  checked: number;
  changed: string[];
  missing: string[];
  added: string[];
  ok: boolean;
}

/**
 * Check an evidence folder against its `SHA256SUMS`. Throws `ConfigError` (bad input) when the folder or the
 * checksum file is missing or a line of it is malformed (with `file:line`).
 */
export function verifyChecksums(dir: string): VerifyReport {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new ConfigError(`not a directory: ${dir}`);
  const path = join(dir, CHECKSUM_FILE);
  if (!existsSync(path)) throw new ConfigError(`no ${CHECKSUM_FILE} in ${dir} (was it written by hil run --out or hil campaign?)`);
  const listed = new Map<string, string>();
  readFileSync(path, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (line === '') return;
      const m = /^([0-9a-f]{64}) [ *](.+)$/.exec(line);
      if (!m) throw new ConfigError(`${path}:${i + 1}:1: not a sha256sum line ('<64 hex digits>  <path>')`);
      listed.set(m[2]!, m[1]!);
    });
  const present = new Set(listEvidenceFiles(dir));
  const changed: string[] = [];
  const missing: string[] = [];
  for (const [file, sum] of listed) {
    if (!present.has(file)) missing.push(file);
    else if (sha256File(join(dir, file)) !== sum) changed.push(file);
  }
  const added = [...present].filter((f) => !listed.has(f));
  return { checked: listed.size, changed, missing, added, ok: changed.length + missing.length + added.length === 0 };
}
