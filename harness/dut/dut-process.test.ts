import { ConfigError, OperationError } from '../../core/errors';
import { processGone, waitUntil } from '../../test/support/hil-cli';
import { DutProcess, killAllControllersNow, type DutExit } from './dut-process';

const node = process.execPath;

describe('DutProcess', () => {
  it('waits for the ready line, captures output, and stops with SIGTERM', async () => {
    const dut = new DutProcess({
      argv: [node, '-e', `console.log('booting'); console.error('warn: x'); console.log('controller ready'); setInterval(() => {}, 1000);`],
    });
    await dut.start();
    const line = await dut.waitForLine('ready', 10_000);
    expect(line.stream).toBe('stdout');
    const exit = await dut.stop(2000);
    expect(exit).toMatchObject({ signal: 'SIGTERM', unexpected: false });
    expect(dut.tail().map((l) => l.text)).toEqual(expect.arrayContaining(['booting', 'warn: x', 'controller ready']));
  });

  it('reports a crash before ready as an OperationError naming the exit code, not a harness crash', async () => {
    const dut = new DutProcess({ argv: [node, '-e', `console.error('segfault-ish'); process.exit(7)`] });
    await dut.start();
    await expect(dut.waitForLine('ready', 10_000)).rejects.toThrow(new OperationError(`the controller exited (exit code 7) before printing 'ready'`));
    expect(dut.exited).toEqual({ code: 7, signal: null, unexpected: true });
    expect(dut.tail(1)[0]!.text).toBe('segfault-ish');
  });

  it('a missing program is a ConfigError', async () => {
    const dut = new DutProcess({ argv: ['/nonexistent/controller-binary'] });
    await expect(dut.start()).rejects.toBeInstanceOf(ConfigError);
    await expect(new DutProcess({ argv: ['/nonexistent/x'] }).start()).rejects.toThrow('program not found');
  });

  it('SIGKILLs a controller that ignores SIGTERM', async () => {
    const dut = new DutProcess({ argv: [node, '-e', `process.on('SIGTERM', () => {}); console.log('up'); setInterval(() => {}, 1000);`] });
    await dut.start();
    await dut.waitForLine('up', 10_000);
    const exit = await dut.stop(200);
    expect(exit?.signal).toBe('SIGKILL');
  });
});

describe('DutProcess: the controller in its own process group', () => {
  // A controller that starts a child which ignores SIGTERM and prints its pid; the child inherits the pipes.
  const withChild = (leaderIgnoresTerm: boolean) =>
    `${leaderIgnoresTerm ? "process.on('SIGTERM', () => {});" : ''}
     const c = require('child_process').spawn(process.execPath, ['-e', "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000)"], { stdio: 'inherit' });
     console.log('child ' + c.pid); console.log('up'); setInterval(() => {}, 1000);`;
  const childPid = (dut: DutProcess): number => Number(dut.tail().find((l) => l.text.startsWith('child '))!.text.slice(6));

  it('stop() reaches the whole group: a child that ignores SIGTERM is SIGKILLed after the grace, then stop() resolves', async () => {
    const dut = new DutProcess({ argv: [node, '-e', withChild(false)] });
    await dut.start();
    await dut.waitForLine('up', 10_000);
    const child = childPid(dut);
    const exit = await dut.stop(300);
    expect(exit).toMatchObject({ signal: 'SIGTERM', unexpected: false });
    expect(processGone(child)).toBe(true);
  });

  it('a stopped controller (SIGSTOP) shows state T, and stop() still ends it (SIGCONT with the SIGTERM)', async () => {
    const dut = new DutProcess({ argv: [node, '-e', `console.log('up'); setInterval(() => {}, 1000);`] });
    await dut.start();
    await dut.waitForLine('up', 10_000);
    expect(dut.procState()).toMatch(/^[RS]$/);
    process.kill(dut.pid!, 'SIGSTOP');
    await waitUntil(() => dut.procState() === 'T', 'state T');
    const exit = await dut.stop(5000);
    expect(exit?.signal).toBe('SIGTERM');
    expect(dut.procState()).toBeUndefined();
  });

  it('the controller dying is seen at once even while its child still holds the output pipes', async () => {
    const dut = new DutProcess({ argv: [node, '-e', `${withChild(false)}; setTimeout(() => process.exit(5), 50);`] });
    const exited = new Promise<DutExit>((resolve) => dut.once('exit', resolve));
    await dut.start();
    await dut.waitForLine('up', 10_000);
    const child = childPid(dut);
    expect(await exited).toEqual({ code: 5, signal: null, unexpected: true });
    expect(processGone(child)).toBe(false); // still there: the harness cleans up the group on stop()
    await dut.stop(300);
    expect(processGone(child)).toBe(true);
  });

  it('killAllControllersNow SIGKILLs every running controller group (the way out on a second Ctrl-C)', async () => {
    const dut = new DutProcess({ argv: [node, '-e', withChild(true)] });
    await dut.start();
    await dut.waitForLine('up', 10_000);
    const child = childPid(dut);
    const exited = new Promise<DutExit>((resolve) => dut.once('exit', resolve));
    killAllControllersNow();
    expect((await exited).signal).toBe('SIGKILL');
    await waitUntil(() => processGone(child), 'the child to be gone');
  });
});
