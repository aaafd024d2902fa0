import type { Clock } from '../../core/clock';
import { ConfigError, HilError, OperationError } from '../../core/errors';
import { ExceptionCode, type ModbusDevice } from '../../protocols/modbus/device';
import { InProcessMaster } from '../../protocols/modbus/in-process-master';
import { isException, type ModbusRequest, type PduException } from '../../protocols/modbus/pdu';
import type { ModbusRtuServer } from '../../protocols/modbus/rtu/rtu-server';
import { ModbusServerCore, type ServerTransaction } from '../../protocols/modbus/server-core';
import { SunSpecDevice } from '../../protocols/modbus/sunspec/sunspec-device';
import { ModbusTcpServer } from '../../protocols/modbus/tcp/tcp-server';
import type { EvidenceRecorder } from './evidence-recorder';
import { splitHostPort } from './host-port';
import type { Bench } from './load-bench';
import { Ring } from './ring';
import type { Socket } from 'node:net';
import type { ConnectionGate } from '../../protocols/net/connection-gate';

/** The figures of an endpoint a scenario reads as `modbus.<ep>.<figure>`. */
export const MODBUS_FIGURES = ['writes', 'illegalWrites', 'rejectedWrites', 'requests'] as const;
export type ModbusFigure = (typeof MODBUS_FIGURES)[number];

/** A Modbus endpoint on a running bench. */
export interface BenchModbus {
  name: string;
  core: ModbusServerCore;
  tcp?: ModbusTcpServer;
  rtu?: ModbusRtuServer;
  host?: string;
  port?: number;
  url: string;
  /** The transaction log's name in the evidence folder (`modbus-site.jsonl.gz`), when the run keeps files. */
  logFile?: string;
  /** Recent writes: clock time and the description (worded when read: most writes are never shown). */
  writes: Ring<RecentWrite>;
  writeCount: number;
  /** Writes answered with IllegalDataAddress: the controller wrote outside the register map. */
  illegalWrites: number;
  /** Writes answered with IllegalDataValue (out of range). */
  rejectedWrites: number;
  requests: number;
  /** Requests per unit id (the dashboard's "requests per unit"). */
  unitRequests: Map<number, number>;
  /** The device served at each unit id (to name written registers with SunSpec point names). */
  units: Map<number, ModbusDevice>;
}

/** How the bench's Modbus endpoints are served. */
export interface ModbusEndpointsOptions {
  clock: Clock;
  /** Seed of each server core's fault PRNG. */
  seed: number;
  /** Listen on TCP and open RTU lines (true), or serve in process only (a dry bench). */
  serveNetwork: boolean;
  log?: (line: string) => void;
  /** Lock step (docs/lockstep.md): the gate that takes turns with the controller's Modbus TCP connections. */
  gate?: ConnectionGate;
}

/**
 * The Modbus side of a running bench: one server core per endpoint (TCP, RTU, or in process on a dry bench), the
 * devices served at each unit id, and what the endpoint saw: requests per unit, writes (counted, the recent ones
 * described with SunSpec point names), the transaction log in the evidence.
 *
 * Contract:
 * - What a request is and whether it writes comes from the server core's transaction (`decoded`, `write`); nothing
 *   here decodes a PDU.
 * - `open()` serves every endpoint of the bench file; one opened before a failure stays in {@link endpoints}, so
 *   `close()` releases it. `close()` never throws.
 */
export class ModbusEndpoints {
  readonly endpoints = new Map<string, BenchModbus>();

  constructor(
    private readonly bench: Bench,
    private readonly options: ModbusEndpointsOptions,
    private readonly evidence: EvidenceRecorder,
  ) {}

  private get clock(): Clock {
    return this.options.clock;
  }

  async open(): Promise<void> {
    for (const [name, spec] of Object.entries(this.bench.file.modbus ?? {})) {
      const logFile = await this.evidence.openTransactionLog(name);
      const core = new ModbusServerCore({ clock: this.clock, seed: this.options.seed, onTransaction: (t) => this.onTransaction(entry, t) });
      const entry: BenchModbus = {
        name,
        core,
        url: '',
        ...(logFile ? { logFile } : {}),
        writes: new Ring(64),
        writeCount: 0,
        illegalWrites: 0,
        rejectedWrites: 0,
        requests: 0,
        unitRequests: new Map(),
        units: new Map(),
      };
      if (spec.tcp) {
        const [host, port] = splitHostPort(spec.tcp);
        if (this.options.serveNetwork) {
          entry.tcp = new ModbusTcpServer({
            ...(this.options.gate ? { onConnection: (s: Socket) => this.options.gate!.add(s) } : {}),
            core,
            host,
            port: Number(port),
            clock: this.clock,
            log: (l) => this.options.log?.(`modbus ${name}: ${l}`),
            limits: this.bench.serverLimits.modbus[name] ?? {},
          });
          try {
            const addr = await entry.tcp.listen();
            entry.host = addr.host;
            entry.port = addr.port;
          } catch (err) {
            throw new ConfigError(`Modbus endpoint '${name}': cannot listen on ${spec.tcp}: ${(err as Error).message}`, this.bench.source);
          }
          entry.url = `tcp://${entry.host}:${entry.port}`;
        } else {
          entry.url = `in-process:${name}`;
        }
      } else if (spec.rtu && !this.options.serveNetwork) {
        entry.url = `in-process:${name}`;
      } else if (spec.rtu) {
        const { ModbusRtuServer } = await import('../../protocols/modbus/rtu/rtu-server');
        try {
          entry.rtu = await ModbusRtuServer.open({
            core,
            clock: this.clock,
            path: spec.rtu.path,
            baudRate: spec.rtu.baud ?? 9600,
            ...(spec.rtu.parity ? { parity: spec.rtu.parity } : {}),
            ...(spec.rtu.stopBits ? { stopBits: spec.rtu.stopBits } : {}),
            ...(spec.rtu.lowLatency !== undefined ? { lowLatency: spec.rtu.lowLatency } : {}),
            log: (l: string) => this.options.log?.(`modbus ${name}: ${l}`),
          });
        } catch (err) {
          if (err instanceof HilError) throw err;
          throw new OperationError(`Modbus endpoint '${name}': cannot open ${spec.rtu.path}: ${(err as Error).message}`);
        }
        entry.url = `rtu://${spec.rtu.path}?baud=${spec.rtu.baud ?? 9600}`;
      }
      this.endpoints.set(name, entry);
    }
  }

  /** Serve `device` as `unitId` on `endpoint` (replacing what was there). */
  addUnit(endpoint: string, unitId: number, device: ModbusDevice): void {
    const ep = this.endpoints.get(endpoint)!;
    ep.core.addUnit(unitId, device);
    ep.units.set(unitId, device);
  }

  /** A device that needs time after a connect makes its TCP endpoint quiet for that long (one listener, one rule). */
  quietAfterConnect(endpoint: string, seconds: number): void {
    const tcp = this.endpoints.get(endpoint)!.tcp;
    if (tcp) tcp.quietAfterConnectMs = Math.max(tcp.quietAfterConnectMs, seconds * 1000);
  }

  /** An in-process master on `endpoint` for a controller (peer `controller`, no per-request log). */
  controllerMaster(endpoint: string, unitId: number): InProcessMaster {
    return new InProcessMaster(this.endpoints.get(endpoint)!.core, this.clock, { unitId, timeoutMs: 1000, peer: 'controller', logLimit: 0 });
  }

  /** One endpoint's figure (`modbus.<ep>.<figure>`). */
  static figure(m: BenchModbus, figure: ModbusFigure): number {
    switch (figure) {
      case 'writes':
        return m.writeCount;
      case 'illegalWrites':
        return m.illegalWrites;
      case 'rejectedWrites':
        return m.rejectedWrites;
      case 'requests':
        return m.requests;
    }
  }

  /** Modbus requests on every endpoint. */
  requests(): number {
    let n = 0;
    for (const m of this.endpoints.values()) n += m.requests;
    return n;
  }

  /** Whether a controller has opened a Modbus TCP connection (or sent an RTU / in-process request). */
  reached(): boolean {
    for (const m of this.endpoints.values()) if ((m.tcp?.stats.accepted ?? 0) > 0 || (!m.tcp && m.requests > 0)) return true;
    return false;
  }

  /** `${modbus.<ep>.url}`, and host, port, tcp of a TCP endpoint, path of an RTU one. */
  substitutions(out: Record<string, string>): void {
    for (const [n, m] of this.endpoints) {
      out[`modbus.${n}.url`] = m.url;
      if (m.host) out[`modbus.${n}.host`] = m.host;
      if (m.port !== undefined) out[`modbus.${n}.port`] = String(m.port);
      if (m.host && m.port !== undefined) out[`modbus.${n}.tcp`] = `${m.host}:${m.port}`;
      const rtu = this.bench.file.modbus?.[n]?.rtu;
      if (rtu) out[`modbus.${n}.path`] = rtu.path;
    }
  }

  private onTransaction(entry: BenchModbus, t: ServerTransaction): void {
    entry.requests++;
    entry.unitRequests.set(t.ctx.unitId, (entry.unitRequests.get(t.ctx.unitId) ?? 0) + 1);
    this.evidence.logTransaction(entry.name, t);
    if (!t.write) return;
    entry.writeCount++;
    const answer = t.response;
    let outcome = 'ok';
    if (answer && answer[0]! & 0x80) {
      const code = answer[1];
      if (code === ExceptionCode.IllegalDataAddress) entry.illegalWrites++;
      if (code === ExceptionCode.IllegalDataValue) entry.rejectedWrites++;
      outcome = `exception ${code}`;
    } else if (!answer) outcome = 'no reply';
    entry.writes.push(new RecentWrite(t.at, entry.name, t.ctx.unitId, t.decoded, outcome, entry.units.get(t.ctx.unitId)));
  }

  async close(): Promise<void> {
    for (const m of this.endpoints.values()) {
      if (m.tcp) await m.tcp.close().catch(() => undefined);
      if (m.rtu) await m.rtu.close().catch(() => undefined);
    }
  }
}

/**
 * One recent write, worded on first read (`ep unit 1 fc16 @40350 = [...] (124.InWRte) -> ok`). A controller in the
 * loop writes hundreds of thousands of times a day and the ring shows at most 64 of them, so the words (SunSpec names
 * looked up register by register) are built only for the writes a report or the dashboard shows. The decoded
 * request is the core's own object, never reused, so wording it later gives the same text as at the time.
 */
export class RecentWrite {
  private worded: string | undefined;

  constructor(
    readonly at: number,
    private readonly endpoint: string,
    private readonly unitId: number,
    private readonly decoded: ModbusRequest | PduException,
    private readonly outcome: string,
    private readonly device: ModbusDevice | undefined,
  ) {}

  get text(): string {
    return (this.worded ??= `${this.endpoint} unit ${this.unitId} ${describeWrite(this.decoded)}${sunspecNames(this.device, this.decoded)} -> ${this.outcome}`);
  }
}

/** ` (124.InWRte, 124.OutWRte)`: the SunSpec points a write covers, where the unit is a SunSpec map. */
function sunspecNames(dev: ModbusDevice | undefined, decoded: ModbusRequest | PduException): string {
  if (!(dev instanceof SunSpecDevice) || isException(decoded)) return '';
  let start: number;
  let count: number;
  if (decoded.fc === 6) [start, count] = [decoded.address, 1];
  else if (decoded.fc === 16) [start, count] = [decoded.address, decoded.values.length];
  else if (decoded.fc === 23) [start, count] = [decoded.writeAddress, decoded.values.length];
  else return '';
  const names: string[] = [];
  for (let a = start; a < start + Math.min(count, 64); a++) {
    const p = dev.pointAt(a);
    const name = p ? `${p.model.layout.id}.${p.point.name}` : undefined;
    if (name && names[names.length - 1] !== name) names.push(name);
  }
  return names.length ? ` (${names.slice(0, 6).join(', ')}${names.length > 6 ? ', …' : ''})` : '';
}

function describeWrite(decoded: ModbusRequest | PduException): string {
  if (isException(decoded)) return `malformed write (fc ${decoded.fc})`;
  switch (decoded.fc) {
    case 5:
    case 6:
      return `fc${decoded.fc} @${decoded.address} = ${String(decoded.value)}`;
    case 15:
    case 16:
      return `fc${decoded.fc} @${decoded.address} = [${decoded.values.slice(0, 8).map(String).join(',')}${decoded.values.length > 8 ? ',…' : ''}]`;
    case 23:
      return `fc23 write @${decoded.writeAddress} = [${decoded.values.slice(0, 8).join(',')}]`;
    default:
      return `fc${decoded.fc}`;
  }
}
