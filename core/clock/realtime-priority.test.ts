import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chrtAllows } from '../../test/support/peers';
import {
  describeRealtime,
  parseRealtimePriority,
  RealtimePriorityError,
  readScheduling,
  requestRealtimePriority,
} from './realtime-priority';

const linux = process.platform === 'linux';
const hasChrt = linux && spawnSync('chrt', ['--version']).status === 0;

/** A child that only sleeps: the thread whose policy the tests change (never this jest worker). */
function sleeper(): ChildProcess {
  return spawn('sleep', ['30'], { stdio: 'ignore' });
}

describe('realtime priority: parsing', () => {
  it('takes integers 1-99 and refuses the rest with the range', () => {
    expect(parseRealtimePriority('10')).toBe(10);
    expect(parseRealtimePriority(99)).toBe(99);
    for (const bad of ['0', '100', '5.5', 'high', '', '-3']) {
      expect(() => parseRealtimePriority(bad)).toThrow(RealtimePriorityError);
      expect(() => parseRealtimePriority(bad)).toThrow(/expected an integer from 1 to 99/);
    }
  });

  it('off Linux it is not asked, and a bad priority is still refused', async () => {
    await expect(requestRealtimePriority({ priority: 10, platform: 'darwin' })).resolves.toEqual({ state: 'not-asked', reason: 'darwin is not Linux' });
    await expect(requestRealtimePriority({ priority: 0, platform: 'darwin' })).rejects.toThrow(RealtimePriorityError);
    expect(describeRealtime({ state: 'not-asked' })).toBe('real-time scheduling: not asked (normal policy)');
  });
});

(linux ? describe : describe.skip)('realtime priority: /proc (Linux only)', () => {
  it('reads policy and real-time priority of a process, as chrt -p reports them; undefined for no such process', () => {
    const s = readScheduling();
    expect(s).toEqual({ policy: expect.any(Number), priority: expect.any(Number) });
    const shown = spawnSync('chrt', ['--pid', String(process.pid)], { encoding: 'utf8' });
    if (shown.status === 0) {
      // e.g. "pid 12's current scheduling policy: SCHED_OTHER" / "... priority: 0"
      expect(shown.stdout).toContain(`current scheduling priority: ${s!.priority}\n`);
      expect(shown.stdout).toMatch(s!.policy === 1 ? /policy: SCHED_FIFO/ : s!.policy === 0 ? /policy: SCHED_OTHER/ : /policy: /);
    }
    expect(readScheduling(2 ** 22 + 12345)).toBeUndefined();
  });
});

(hasChrt ? describe : describe.skip)('realtime priority: with chrt (Linux, util-linux)', () => {
  let dir: string;
  const children: ChildProcess[] = [];
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rt-prio-'));
  });
  afterAll(() => {
    for (const c of children) c.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
  const child = (): number => {
    const c = sleeper();
    children.push(c);
    return c.pid!;
  };
  const script = (name: string, body: string): string => {
    const p = join(dir, name);
    writeFileSync(p, `#!/bin/sh\n${body}\n`);
    chmodSync(p, 0o755);
    return p;
  };

  it('does what chrt itself can do here: SCHED_FIFO set and read back, or refused in one line', async () => {
    // The oracle: chrt on another sleeping child, as this machine allows it (root with CAP_SYS_NICE, an rtprio
    // limit, or neither: a container may refuse even root).
    const allowed = chrtAllows(10);
    const pid = child();
    const before = readScheduling(pid);
    const r = await requestRealtimePriority({ priority: 10, pid });
    if (allowed) {
      expect(r).toMatchObject({ state: 'on', policy: 'SCHED_FIFO', priority: 10 });
      expect(readScheduling(pid)).toEqual({ policy: 1, priority: 10 });
      expect(describeRealtime(r)).toMatch(/^real-time scheduling: SCHED_FIFO priority 10 for the harness's threads/);
      // Reset on fork: what the thread starts later does not inherit the policy.
      expect(spawnSync('chrt', ['--pid', String(pid)], { encoding: 'utf8' }).stdout).toContain('SCHED_RESET_ON_FORK');
      // Every thread of a process that has several (a Node process: V8's helpers wait for none of the rest).
      const node = spawn(process.execPath, ['-e', "process.stdout.write('up'); setTimeout(() => {}, 30000)"], { stdio: ['ignore', 'pipe', 'ignore'] });
      children.push(node);
      await new Promise((r) => node.stdout!.once('data', r)); // started: its threads exist
      const tasks = (): string[] => readdirSync(`/proc/${node.pid!}/task`);
      expect(tasks().length).toBeGreaterThan(1);
      await expect(requestRealtimePriority({ priority: 10, pid: node.pid! })).resolves.toMatchObject({ state: 'on' });
      const tids = tasks();
      expect(tids.map((tid) => [tid, readScheduling(Number(tid))])).toEqual(tids.map((tid) => [tid, { policy: 1, priority: 10 }]));
    } else {
      expect(r.state).toBe('refused');
      expect(r.state === 'refused' && r.note).toMatch(/^real-time scheduling not set \(chrt: .+\): timers may wake 1-3 ms late/);
      expect(readScheduling(pid)).toEqual(before);
    }
  });

  it('a user without the right is refused with chrt\'s reason, and the thread keeps its policy', async () => {
    const asRoot = process.getuid?.() === 0 && spawnSync('setpriv', ['--version']).status === 0;
    // As root, the real chrt run as nobody (setpriv); otherwise this user's own chrt refuses or not, as tested above.
    const chrt = asRoot
      ? script('chrt-as-nobody', 'exec setpriv --reuid=65534 --regid=65534 --clear-groups chrt "$@"')
      : script('chrt-eperm', `echo "chrt: failed to set pid $5's policy: Operation not permitted" >&2; exit 1`);
    const pid = child();
    const before = readScheduling(pid);
    const r = await requestRealtimePriority({ priority: 20, pid, chrt });
    expect(r).toEqual({
      state: 'refused',
      note: expect.stringMatching(/^real-time scheduling not set \(chrt: failed to set (pid|tid) \d+'s policy: Operation not permitted\): .*CAP_SYS_NICE/),
    });
    expect(readScheduling(pid)).toEqual(before);
  });

  it('no chrt program, or one that claims success without effect, is a refusal that says so', async () => {
    const missing = await requestRealtimePriority({ priority: 10, pid: child(), chrt: join(dir, 'no-such-chrt') });
    expect(missing).toEqual({ state: 'refused', note: expect.stringMatching(/^real-time scheduling not set \(no '.*no-such-chrt' program; it is in util-linux\)/) });
    const liar = await requestRealtimePriority({ priority: 37, pid: child(), chrt: script('chrt-liar', 'exit 0') });
    expect(liar).toEqual({ state: 'refused', note: expect.stringMatching(/chrt-liar succeeded but \/proc\/\d+\/stat says policy \d+, priority \d+/) });
  });
});
