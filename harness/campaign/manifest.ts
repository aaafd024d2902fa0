import { existsSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { packageRoot } from '../../core/package-root';
import type { Bench } from '../bench/load-bench';
import { dbcFileForBus } from '../bench/wire-signals';
import type { ControllerIdentity } from '../evidence/controller-identity';
import { gitCommit, harnessVersion } from '../evidence/provenance';
import type { Scenario } from '../scenario/scenario';
import { sha256File } from './checksums';

/** One input of a run with its hash (`sha256: null` where it is not a file, e.g. a scenario built in TypeScript). */
export interface ManifestInput {
  kind: 'bench' | 'scenario' | 'dbc' | 'pack' | 'vendor-map' | 'controller' | 'campaign';
  /** Who uses it (the bus, device or scenario id). */
  name: string;
  file: string;
  sha256: string | null;
}

/**
 * `<out>/manifest.json`: what an auditor needs to reproduce and trust a run. Every input file is hashed when the run
 * ends (the hashes are of the files as they were then). `controller.identity` holds what the controller told about
 * itself on the bus, where the bench reads it; `null` fields were not read (see docs/certification.md).
 */
export interface Manifest {
  manifestVersion: 1;
  harness: { version: string; gitCommit: string; gitDirty: boolean | null };
  node: string;
  platform: string;
  host: string;
  startedAt: string;
  endedAt: string;
  timeMode: string;
  shard: { index: number; count: number } | null;
  inputs: ManifestInput[];
  seeds: Record<string, number>;
  controller: {
    kind: 'module' | 'command' | 'none';
    description: string;
    options: Record<string, unknown>;
    /**
     * `bmsName`: the BMS name frame the controller sent, by the bench device that heard it (a translator or a BMS
     * under test plays the battery's side of a battery CAN protocol); `sunspecCommon`: SunSpec model 1 (Mn, Md, Opt,
     * Vr, SN, DA) of a controller that is itself a SunSpec server (bench `dut.identity.sunspec`), read once it was
     * ready. `null`: nothing heard or read; the note says why, part by part.
     */
    identity: { sunspecCommon: Record<string, string> | null; bmsName: Record<string, string> | null; note: string };
  };
  traceBudget: { limit: number | null; used: number; exhausted: boolean };
  extra?: Record<string, unknown>;
}

/** What `buildManifest` needs. */
export interface ManifestContext {
  bench: Bench;
  /** Bench variants some scenarios ran on (sweeps over packs or device parameters): their inputs are hashed too. */
  variants?: readonly Bench[];
  scenarios: readonly Scenario[];
  startedAt: string;
  endedAt: string;
  timeMode: string;
  shard?: { index: number; count: number };
  dutOptions?: Record<string, unknown>;
  dutArgs?: string[];
  traceBudget: Manifest['traceBudget'];
  /** What the controller said about itself on the bus over the run (`mergeIdentities` of the results). */
  identity?: ControllerIdentity;
  extra?: Record<string, unknown>;
}

const hashOrNull = (file: string): string | null => {
  try {
    return statSync(file).isFile() ? sha256File(file) : null;
  } catch {
    return null;
  }
};

/**
 * Every input file of a bench: itself, DBCs, pack profiles given as paths, vendor maps, the controller's files.
 * `hash`: how a file is hashed (`buildManifest` hashes each file once, however many sweep variants name it).
 */
export function benchInputs(bench: Bench, hash: (file: string) => string | null = hashOrNull): ManifestInput[] {
  const base = dirname(bench.source);
  const out: ManifestInput[] = [{ kind: 'bench', name: bench.file.bench, file: bench.source, sha256: hash(bench.source) }];
  const add = (kind: ManifestInput['kind'], name: string, file: string): void => {
    if (!out.some((i) => i.file === file && i.kind === kind)) out.push({ kind, name, file, sha256: hash(file) });
  };
  for (const [bus, spec] of Object.entries(bench.file.can ?? {})) {
    const protocols = bench.file.devices
      .filter((d) => d.can === bus && d.protocol)
      .map((d) => (typeof d.params?.variant === 'string' ? `${d.protocol!}/${d.params.variant}` : d.protocol!));
    const dbc = dbcFileForBus(spec.dbc, base, protocols);
    if (dbc) add('dbc', bus, dbc);
  }
  for (const d of bench.file.devices) {
    if (d.pack) {
      const asPath = d.pack.endsWith('.json') || d.pack.includes('/') || isAbsolute(d.pack);
      add('pack', d.name, asPath ? resolve(base, d.pack) : join(packageRoot(), 'data', 'packs', `${d.pack}.json`));
    }
    if (d.map && d.map !== 'sunspec') add('vendor-map', d.name, resolve(base, d.map));
  }
  const dut = bench.file.dut;
  if (dut?.module) add('controller', 'module', resolveModule(dut.module));
  for (const arg of dut?.command ?? []) {
    const file = commandFile(arg);
    if (file) add('controller', 'command', file);
  }
  return out;
}

/** Build the manifest of a run that has ended. */
export function buildManifest(ctx: ManifestContext): Manifest {
  const git = gitCommit();
  // A sweep of thousands of combinations names the same few files thousands of times: each is hashed once.
  const hashes = new Map<string, string | null>();
  const hash = (file: string): string | null => {
    if (!hashes.has(file)) hashes.set(file, hashOrNull(file));
    return hashes.get(file)!;
  };
  const inputs = benchInputs(ctx.bench, hash);
  const listed = new Set(inputs.map((i) => `${i.kind}\u0000${i.file}`));
  const list = (i: ManifestInput): void => {
    const k = `${i.kind}\u0000${i.file}`;
    if (listed.has(k)) return;
    listed.add(k);
    inputs.push(i);
  };
  for (const v of ctx.variants ?? []) for (const i of benchInputs(v, hash)) list(i);
  for (const s of ctx.scenarios) list({ kind: 'scenario', name: s.id, file: s.source, sha256: hash(s.source) });
  const dut = ctx.bench.file.dut;
  const kind = dut?.module && (ctx.timeMode !== 'real' || !dut.command) ? 'module' : dut?.command ? 'command' : dut?.module ? 'module' : 'none';
  return {
    manifestVersion: 1,
    harness: { version: harnessVersion(), gitCommit: git.commit, gitDirty: git.dirty },
    node: process.version,
    platform: `${process.platform}/${process.arch}`,
    host: hostname(),
    startedAt: ctx.startedAt,
    endedAt: ctx.endedAt,
    timeMode: ctx.timeMode,
    shard: ctx.shard ?? null,
    inputs,
    seeds: Object.fromEntries(ctx.scenarios.map((s) => [s.id, s.seed])),
    controller: {
      kind,
      description: kind === 'module' ? `module ${dut!.module!}` : kind === 'command' ? `command ${[...dut!.command!, ...(ctx.dutArgs ?? [])].join(' ')}` : 'none (a wired controller or none)',
      options: { ...(dut?.moduleOptions ?? {}), ...(ctx.dutOptions ?? {}) },
      identity: {
        sunspecCommon: ctx.identity?.sunspecCommon ?? null,
        bmsName: ctx.identity?.bmsName ?? null,
        note: identityNote(ctx.identity),
      },
    },
    traceBudget: ctx.traceBudget,
    ...(ctx.extra ? { extra: ctx.extra } : {}),
  };
}

/** The manifest's identity note: what each part is, or why it is absent. */
function identityNote(identity: ControllerIdentity | undefined): string {
  const bms = identity?.bmsName
    ? 'bmsName: the BMS name frame the controller sent (LV 0x35E, HV 0x7330/0x7340), as the bench inverter on that bus heard it'
    : 'bmsName: nothing heard: on this bench the controller is the Modbus client and the inverter side of the battery CAN, which carry no identity the bench reads (a controller playing the battery side sends a BMS name frame, recorded here)';
  const sunspec = identity?.sunspecNote
    ? `sunspecCommon: ${identity.sunspecNote}`
    : 'sunspecCommon: not read: the bench declares no SunSpec endpoint of the controller (dut.identity.sunspec)';
  return `${bms}; ${sunspec}`;
}

/** Write `<dir>/manifest.json` (atomically); returns its path. */
export function writeManifest(dir: string, manifest: Manifest): string {
  const path = join(dir, 'manifest.json');
  writeFileSync(`${path}.tmp`, `${JSON.stringify(manifest, null, 2)}\n`);
  renameSync(`${path}.tmp`, path);
  return path;
}

function resolveModule(modulePath: string): string {
  const abs = isAbsolute(modulePath) ? modulePath : resolve(modulePath);
  try {
    return require.resolve(abs);
  } catch {
    return abs;
  }
}

/** A command word that names a file (the controller's binary or script), resolved; PATH lookups for bare names. */
function commandFile(arg: string): string | undefined {
  if (arg.startsWith('-')) return undefined;
  if (arg.includes('/') || arg.includes('.')) {
    const abs = resolve(arg);
    return existsSync(abs) && statSync(abs).isFile() ? abs : undefined;
  }
  for (const dir of (process.env.PATH ?? '').split(':')) {
    const p = join(dir, arg);
    if (dir && existsSync(p) && statSync(p).isFile()) return p;
  }
  return undefined;
}
