/**
 * The rig of the native-pack interop tests with a python vehicle (test/interop/native-*-python.test.ts, scripts in
 * test/interop/py/*_vehicle_peer.py): a socketcand hub on port 0, the BMS plant stepped in real time (100 ms, as a
 * bench would), the python peer, and their teardown after each test. Call inside the `describe` body.
 */
import type { BmsBenchDevice } from '../../emulators/bms/factory';
import { SocketcandServer } from '../../protocols/can/socketcand';
import { PyPeer } from './py-peer';

export interface NativeVehiclePeerRig {
  /** The hub of the current test. */
  readonly server: SocketcandServer;
  /** Step `bms` every 100 ms of wall time until the test ends, and close it then. */
  runPlant(bms: BmsBenchDevice): void;
  /** Start `script` as the vehicle on hub channel `channel`; killed at the end of the test. */
  startPeer(script: string, channel: string, waitMs: number): PyPeer;
  /** Run `fn` at the end of the test, before the plant is closed (detach a profile). */
  onTeardown(fn: () => void): void;
}

export function useNativeVehiclePeerRig(): NativeVehiclePeerRig {
  let server: SocketcandServer | undefined;
  let port = 0;
  let py: PyPeer | undefined;
  let bms: BmsBenchDevice | undefined;
  let stepper: NodeJS.Timeout | undefined;
  let teardown: Array<() => void> = [];

  beforeEach(async () => {
    server = new SocketcandServer({ port: 0, log: () => undefined });
    ({ port } = await server.listen());
  });

  afterEach(async () => {
    if (stepper) clearInterval(stepper);
    stepper = undefined;
    for (const fn of teardown) fn();
    teardown = [];
    bms?.close();
    bms = undefined;
    if (py) {
      py.kill();
      await py.done;
      py = undefined;
    }
    await server?.close();
  });

  return {
    get server() {
      if (!server) throw new Error('the rig has no hub outside a test');
      return server;
    },
    runPlant(b) {
      bms = b;
      stepper = setInterval(() => b.device.step(0.1), 100);
    },
    startPeer(script, channel, waitMs) {
      py = new PyPeer(script, ['--port', String(port), '--channel', channel], waitMs);
      return py;
    },
    onTeardown(fn) {
      teardown.push(fn);
    },
  };
}
