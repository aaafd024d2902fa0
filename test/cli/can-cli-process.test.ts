/**
 * `hil can` as people run it: the built CLI in child processes. A hub (`serve --port 0`), a `dump --dbc` and a
 * `send` talk over TCP; SIGINT stops the hub with exit code 0 and counters; bad input exits 2 with one clear line.
 * Waits are on printed lines and process exits.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildCli, CLI_MAIN, HilProcess, ROOT } from './can-cli-support';

const DBC = join(ROOT, 'data', 'dbc', 'pylon-lv.dbc');
const running: HilProcess[] = [];
let dir: string;

function hil(...args: string[]): HilProcess {
  const p = new HilProcess(CLI_MAIN, args);
  running.push(p);
  return p;
}

beforeAll(async () => {
  const output = await buildCli();
  // tsc without type checking still reports syntax errors; the CLI must at least load.
  const help = hil('can', '--help');
  if ((await help.exitCode()) !== 0) throw new Error(`the CLI did not build:\n${output}\n${help.lines.err.join('\n')}`);
  dir = mkdtempSync(join(tmpdir(), 'hil-can-proc-'));
}, 180_000);

afterEach(async () => {
  await Promise.all(running.splice(0).map((p) => p.kill()));
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('hil can (child processes)', () => {
  it('serve on port 0, dump --dbc --count 3 while send sends three frames; SIGINT stops serve with counters', async () => {
    const serve = hil('can', 'serve', '--port', '0');
    const url = await serve.waitFor('out', /^socketcand:\/\/127\.0\.0\.1:\d+\/can0$/);
    const dump = hil('can', 'dump', url, '--dbc', DBC, '--count', '3', '--timestamps', 'none', '--timeout', '10s');
    await dump.waitFor('err', /^dump: listening on socketcand:/);
    const send = hil('can', 'send', url, '351#1402F401F401E001', '356#1A14', '7FF#01');
    expect(await send.exitCode()).toBe(0);
    expect(await dump.exitCode()).toBe(0);
    expect(dump.lines.out).toEqual([
      'can0 351#1402F401F401E001',
      '  BMS_Limits ChargeVoltageLimit=53.2 V ChargeCurrentLimit=50 A DischargeCurrentLimit=50 A DischargeVoltageLimit=48 V',
      'can0 356#1A14',
      "  ! message 'BMS_Measurements' (0x356) signal 'BatteryCurrent' needs 4 bytes, frame has 2",
      'can0 7FF#01',
    ]);
    expect(dump.lines.err.at(-1)).toBe('dump: 3 frames (1 decoded, 1 not in the DBC, 1 decode error)');

    serve.child.kill('SIGINT');
    expect(await serve.exitCode()).toBe(0);
    expect(serve.lines.out).toContainEqual(expect.stringMatching(/^ {2}bus can0: \d members, 3 frames, 3 deliveries, 0 dropped$/));
  });

  it('records to a .log and replays it into another dump', async () => {
    const serve = hil('can', 'serve', '--port', '0', '--bus', 'rec');
    const url = await serve.waitFor('out', /^socketcand:\/\/127\.0\.0\.1:\d+\/rec$/);
    const file = join(dir, 'bench.log');
    const rec = hil('can', 'record', url, file, '--count', '2');
    await rec.waitFor('err', /^record: recording/);
    expect(await hil('can', 'send', url, '123#0102', '18FF50E5#R').exitCode()).toBe(0);
    expect(await rec.exitCode()).toBe(0);
    expect(rec.lines.err.at(-1)).toBe(`record: 2 frames to ${file}`);

    const dump = hil('can', 'dump', url, '--count', '2', '--timestamps', 'none', '--timeout', '10s');
    await dump.waitFor('err', /^dump: listening/);
    const replay = hil('can', 'replay', file, url, '--speed', 'max', '--realtime', '12');
    expect(await replay.exitCode()).toBe(0);
    // SCHED_FIFO where this machine allows it (root with CAP_SYS_NICE, an rtprio limit), else one line why not.
    expect(replay.lines.err[0]).toMatch(/^hil can replay: real-time scheduling(: SCHED_FIFO priority 12 for the harness's threads| not set \()/);
    expect(replay.lines.err.at(-1)).toBe('replay: sent 2 frames (0 skipped, 0 bad lines dropped)');
    expect(await dump.exitCode()).toBe(0);
    expect(dump.lines.out).toEqual(['rec 123#0102', 'rec 18FF50E5#R']);
  });

  it('exits 2 with one clear line for bad input', async () => {
    const bad = join(dir, 'bad.dbc');
    writeFileSync(bad, 'VERSION ""\n\nBO_ 12 X: 8 Y\n SG_ A 0|8@1+ (1,0) [0|1] "" Z\n');
    const cases: [string[], RegExp][] = [
      [['dump', 'foo://bar'], /^hil: unknown CAN medium 'foo' \(known: virtual, socketcand, slcan, socketcan\)$/],
      [['dump', 'virtual:x', '--dbc', bad], /^hil: .*bad\.dbc:4:\d+: /],
      [['send', 'virtual:x', '123#XYZ'], /^hil: frame '123#XYZ': data 'XYZ' is not pairs of hex digits/],
      [['send', 'virtual:x', '--dbc', DBC, '--message', 'BMS_Limits', '--set', 'Nope=1'], /has no signal 'Nope'/],
      [['send', 'virtual:x', '123#01', '--period', '100', '--realtime', '100'], /^hil: --realtime 100: expected a priority from 1 to 99$/],
      [['dump', 'socketcand://127.0.0.1:1/can0'], /^hil: cannot open CAN medium 'socketcand:\/\/127\.0\.0\.1:1\/can0': .*connection refused/],
      [['dump', 'slcan:///dev/hil-no-such-tty?bitrate=500000'], /^hil: SLCAN adapter \/dev\/hil-no-such-tty not found/],
    ];
    const procs = cases.map(([args]) => hil('can', ...args));
    for (let i = 0; i < cases.length; i++) {
      expect(await procs[i]!.exitCode()).toBe(2);
      expect(procs[i]!.lines.err).toEqual([expect.stringMatching(cases[i]![1])]);
    }
  });
});
