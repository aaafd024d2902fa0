/**
 * Shared pieces of the Modbus/TCP interop tests: our server with a known map on units 1 and 2, and a way to run
 * a peer program to completion.
 */
import { spawn } from 'node:child_process';
import { RegisterMap } from '../../protocols/modbus/register-map';
import { ModbusTcpServer } from '../../protocols/modbus/tcp/tcp-server';

export interface Fixture {
  server: ModbusTcpServer;
  port: number;
  /** Unit 1: holding 0..19 = 100+i (20..29 validated <= 1000), input 0..4 = 500+i, 16 coils, 8 discrete inputs. */
  unit1: RegisterMap;
  /** Unit 2: holding 0..1 = [0xbeef, 2]. */
  unit2: RegisterMap;
}

export async function startFixture(): Promise<Fixture> {
  const server = new ModbusTcpServer();
  const unit1 = new RegisterMap({ identification: { vendorName: 'SecondLife', productCode: 'HIL-TCP', majorMinorRevision: '0.1' } })
    .addRegisters({ table: 'holding', start: 0, values: Array.from({ length: 20 }, (_, i) => 100 + i) })
    .addRegisters({
      table: 'holding',
      start: 20,
      length: 10,
      validate: (_a, values) => (values.some((v) => v > 1000) ? 3 : undefined),
    })
    .addRegisters({ table: 'input', start: 0, values: Array.from({ length: 5 }, (_, i) => 500 + i) })
    .addBits({ table: 'coils', start: 0, length: 16 })
    .addBits({ table: 'discrete', start: 0, values: [true, false, true, true, false, false, false, true] });
  const unit2 = new RegisterMap().addRegisters({ table: 'holding', start: 0, values: [0xbeef, 2] });
  server.core.addUnit(1, unit1);
  server.core.addUnit(2, unit2);
  const { port } = await server.listen();
  return { server, port, unit1, unit2 };
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run a program to exit (never rejects for a non-zero exit; rejects only if it cannot start). */
export function run(cmd: string, args: string[], timeoutMs = 20000): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
