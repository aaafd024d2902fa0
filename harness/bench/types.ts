/** A bench file as written (after schema validation). See README "Bench files". */
export interface BenchFile {
  bench: string;
  description?: string;
  /** CAN buses by name. */
  can?: Record<string, CanBusSpec>;
  /** Modbus endpoints by name. */
  modbus?: Record<string, ModbusEndpointSpec>;
  devices: DeviceSpec[];
  /** How the controller under test is reached. Absent: a real board already wired (nothing to start). */
  dut?: DutSpec;
}

/**
 * A CAN bus: either a medium the harness opens (`virtual:x`, `socketcand://h:p/bus`, `slcan:///dev/ttyACM0`,
 * `socketcan://can0`), or a socketcand hub the harness serves (devices join it in-process; the DUT connects over
 * TCP to `${can.<name>.url}`), optionally also exposed as an SLCAN adapter on a pseudo-terminal.
 */
export interface CanBusSpec {
  medium?: string;
  /** Buses that name the same `socketcand` address share one hub, and must agree on its limits. */
  hub?: { socketcand: string; bus?: string } & ServerLimitsSpec;
  slcanPty?: string;
  /**
   * DBC that names this bus's frames for scenario signals `can.<bus>.<Message>.<Signal>` (default: the DBC of the
   * BMS protocol on the bus, from data/dbc). Relative to the bench file.
   */
  dbc?: string;
  /** Record every frame on this bus to `<out>/<bench>-<bus>.log` (default true when --out is given). */
  record?: boolean;
}

/**
 * Connection limits of a server the harness runs: a Modbus TCP endpoint (defaults 64 connections, 10 min idle) or
 * a socketcand hub (64 connections, 30 s for a connection that opens no bus). At the cap a new connection closes
 * the longest-idle one (`evict-idle`, those that never sent a valid message first) or is refused (`refuse`).
 */
export interface ServerLimitsSpec {
  maxConnections?: number;
  /** A duration (`30s`, `10m`); 0 never. */
  idleTimeout?: string | number;
  whenFull?: 'evict-idle' | 'refuse';
}

/** A Modbus endpoint: a TCP listener or an RTU line, shared by the devices on it. Limits apply to TCP only. */
export interface ModbusEndpointSpec extends ServerLimitsSpec {
  tcp?: string;
  /** `lowLatency`: Linux low-latency mode on the port (default true; false leaves the driver's setting). */
  rtu?: { path: string; baud?: number; parity?: 'none' | 'even' | 'odd'; stopBits?: 1 | 2; lowLatency?: boolean };
}

/** An emulated device. Type-specific keys are checked by the device factory. */
export interface DeviceSpec {
  name: string;
  type: 'bms' | 'inverter';
  /** bms: pack profile name in data/packs or a path. */
  pack?: string;
  /** bms: protocol profile, a name in emulators/bms/profiles/registry.ts (docs/bms-protocols.md). */
  protocol?: string;
  /** CAN bus name this device talks on. */
  can?: string;
  /** Modbus endpoint name this device serves on. */
  modbus?: string;
  unitId?: number;
  /** inverter: `sunspec` or a vendor map file. */
  map?: string;
  /** inverter: name of the bms device on its battery port. */
  battery?: string;
  /**
   * inverter: hear the battery over a battery-to-inverter CAN protocol on bus `bus` (the inverter's side: 0x305
   * heartbeat or Pylon HV polls) and obey what it hears; such an inverter needs no Modbus endpoint.
   */
  batteryCan?: { bus: string; protocol: string; variant?: string };
  /** Device-specific parameters (rated power, strings, base address, ...). */
  params?: Record<string, unknown>;
}

export interface DutSpec {
  /** argv of the controller; placeholders `${can.<bus>.<part>}` and `${modbus.<ep>.<part>}` are substituted (harness/bench/placeholders.ts, README "Placeholders"). */
  command?: string[];
  /** Working directory of the controller (default: the harness's). */
  cwd?: string;
  /** Extra environment variables (over the harness's own; `PYTHONUNBUFFERED=1` is set unless given here). */
  env?: Record<string, string>;
  /**
   * Readiness: the scenario's t=0 waits until the controller printed a line containing this (stdout or stderr).
   * A controller printing through a pipe may buffer its output: see README "Controller readiness".
   */
  readyLine?: string;
  /** Readiness without a line: its first CAN frame on any bus, or its first Modbus TCP connection (or RTU request). */
  readyWhen?: 'first-frame' | 'first-modbus-connection';
  /** How long to wait for readiness (default 15 s, wall clock). */
  readyTimeout?: string | number;
  /** How long to wait for the DUT to exit after SIGTERM before SIGKILL (default 5 s). */
  stopTimeout?: string | number;
  /**
   * Hang detection (default 30s of scenario time; `off` or 0 disables): a controller that shows no sign of life for
   * this long - no CAN frame on any bus, no Modbus request on any endpoint, no output line - ends the scenario with
   * an error verdict ("hung"), not a fail. Applies to a controller the harness starts; for a wired board only when
   * written here. A controller that is stopped (SIGSTOP, state T) is reported hung after 1 s regardless.
   */
  livenessTimeout?: string | number;
  /**
   * `lockstep`: the controller process speaks the lock-step clock protocol (docs/lockstep.md), so it can run in
   * virtual time: `--time-mode auto` then runs it in virtual time when there is no `module`, and `readyTimeout` bounds
   * each of its reports (wall clock). Absent: it reads the real clock.
   */
  clock?: 'lockstep';
  /** In-process controller module (virtual time): path to a module exporting `createController`. */
  module?: string;
  /** Options given to the module's `createController` (merged under `hil run --dut-option k=v`). */
  moduleOptions?: Record<string, unknown>;
  /** Where the harness reads who the controller is, besides what it hears on the bus (README "Controller identity"). */
  identity?: DutIdentitySpec;
}

/**
 * The controller's own identity endpoints. `sunspec`: the controller is itself a SunSpec server (a site controller
 * or gateway exposing SunSpec over Modbus TCP): once it is ready, every scenario reads its model 1 (Mn, Md, Opt, Vr,
 * SN, DA) there, finding `SunS` at 40000, 0 or 50000, and records it in the result (`controllerIdentity`) and the
 * manifest. Nothing answering, no marker or no model 1 never fails the run: the identity then says why it is absent.
 */
export interface DutIdentitySpec {
  sunspec?: {
    /** `HOST:PORT` the controller listens on (port 1..65535: the controller's port, not one the harness picks). */
    tcp: string;
    /** Modbus unit id of its SunSpec device (default 1). */
    unitId?: number;
    /** Wall-clock bound of each request and of the connection attempts (default 2 s). */
    timeout?: string | number;
  };
}
