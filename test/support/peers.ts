import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Debian python interpreter: the peers' python packages live there, not in a pyenv. */
export const PYTHON = '/usr/bin/python3';

/** A third-party peer the interop tests use, and how to tell whether it is installed. */
export type Peer = 'mbpoll' | 'socat' | 'tshark' | 'python3-can' | 'python3-pymodbus' | 'python3-canmatrix' | 'python3-serial' | 'faketime' | 'chromium';

const checks: Record<Peer, () => boolean> = {
  mbpoll: () => onPath('mbpoll'),
  socat: () => onPath('socat'),
  tshark: () => onPath('tshark'),
  chromium: () => existsSync('/usr/bin/chromium'),
  'python3-can': () => pyImports('can'),
  // pymodbus.client needs python3-serial-asyncio too (not pulled in with --no-install-recommends).
  'python3-pymodbus': () => pyImports('pymodbus.client'),
  'python3-canmatrix': () => pyImports('canmatrix'),
  'python3-serial': () => pyImports('serial'),
  // Debian packages faketime (the wrapper) and libfaketime (the preload library): `hil run --speed` needs both.
  faketime: () => onPath('faketime') && ['/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1', '/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1'].some((p) => existsSync(p)),
};

const cache = new Map<Peer, boolean>();

function onPath(bin: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' }).status === 0;
}

function pyImports(mod: string): boolean {
  if (!existsSync(PYTHON)) return false;
  return spawnSync(PYTHON, ['-c', `import ${mod}`], { stdio: 'ignore' }).status === 0;
}

/** Whether a peer is installed (cached per test file). */
export function hasPeer(peer: Peer): boolean {
  let ok = cache.get(peer);
  if (ok === undefined) {
    ok = checks[peer]();
    cache.set(peer, ok);
  }
  return ok;
}

/**
 * `describe` for interop tests that need Debian peers. Where a peer is missing the block is skipped with a test
 * whose name says which package to install, except under `CI=true`, where a missing peer fails the run
 * (the project rule: CI must exercise every interop test).
 */
export function describeWithPeers(peers: Peer[], name: string, body: () => void): void {
  const missing = peers.filter((p) => !hasPeer(p));
  if (missing.length === 0) {
    describe(name, body);
    return;
  }
  const reason = `needs Debian package(s) ${missing.join(', ')}, not installed on this machine (apt-get install ${missing.join(' ')})`;
  if (process.env.CI === 'true') {
    describe(name, () => {
      it(`has its peers (${missing.join(', ')})`, () => {
        throw new Error(`CI=true and ${reason}`);
      });
    });
    return;
  }
  process.stderr.write(`[skip] ${name}: ${reason}\n`);
  describe(name, () => {
    // Skipped on purpose, reason in the name: the peer is not installed here.
    it.skip(`skipped: ${reason}`, () => undefined);
  });
}

/**
 * Whether this machine lets this user put a process under SCHED_FIFO at `priority`, asked of util-linux `chrt` itself
 * on a sleeping child (a container may refuse even root): the oracle of the `--realtime` tests.
 */
export function chrtAllows(priority: number): boolean {
  const sleeper = spawn('sleep', ['10'], { stdio: 'ignore' });
  try {
    return spawnSync('chrt', ['--fifo', '--pid', String(priority), String(sleeper.pid)]).status === 0;
  } finally {
    sleeper.kill('SIGKILL');
  }
}
