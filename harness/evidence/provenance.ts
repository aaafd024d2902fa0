import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { packagePath, packageRoot } from '../../core/package-root';

/** Where a result came from: enough to reproduce it. */
export interface Provenance {
  harnessVersion: string;
  node: string;
  platform: string;
  /** The bench file and the SHA-256 of its bytes. */
  bench: { file: string; sha256: string };
  /** The scenario file (or `(api)`) and the SHA-256 of its bytes (of its compiled form for API scenarios). */
  scenario: { file: string; sha256: string };
  /** How the controller was reached: the command (after substitution), the module, or none (a wired board). */
  dut: string;
}

let version: string | undefined;

/** The harness package version (package.json), for provenance and run records. */
export function harnessVersion(): string {
  if (version === undefined) {
    try {
      version = (JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as { version: string }).version;
    } catch {
      version = 'unknown';
    }
  }
  return version;
}

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

/** SHA-256 of a file's bytes, or of `fallback` (e.g. a scenario built in TypeScript) when it is not a readable file. */
export function hashOf(file: string, fallback: () => string): string {
  try {
    return sha256(readFileSync(file));
  } catch {
    return sha256(fallback());
  }
}

/** The provenance record of one run. */
export function provenance(benchFile: string, scenarioFile: string, scenarioData: () => string, dut: string): Provenance {
  return {
    harnessVersion: harnessVersion(),
    node: process.version,
    platform: `${process.platform}/${process.arch}`,
    bench: { file: benchFile, sha256: hashOf(benchFile, () => '') },
    scenario: { file: scenarioFile, sha256: hashOf(scenarioFile, scenarioData) },
    dut,
  };
}

let git: { commit: string; dirty: boolean | null } | undefined;

/**
 * The git commit of the harness checkout ('unknown' outside one, e.g. an npm install), asked once per process:
 * the harness does not change under a running campaign.
 */
export function gitCommit(): { commit: string; dirty: boolean | null } {
  return (git ??= askGit());
}

function askGit(): { commit: string; dirty: boolean | null } {
  const root = packageRoot();
  const run = (args: string[]): string => execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 }).trim();
  try {
    const commit = run(['rev-parse', 'HEAD']);
    let dirty: boolean | null = null;
    try {
      dirty = run(['status', '--porcelain', '--untracked-files=no']) !== '';
    } catch {
      /* a commit without a work tree */
    }
    return { commit, dirty };
  } catch {
    return { commit: 'unknown', dirty: null };
  }
}
