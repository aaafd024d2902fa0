import { ConfigError, OperationError } from '../../core/errors';
import { DutProcess } from './dut-process';

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
