/**
 * The rig of the native-pack interop tests with a python vehicle (test/interop/native-*-python.test.ts, scripts in
 * test/interop/py/*_vehicle_peer.py): the socketcand rig (`useSocketcandPeerRig`) plus the BMS plant stepped in real
 * time (100 ms, as a bench would); the cell read-back check and the silent command the peers share. Call
 * `useNativeVehiclePeerRig` inside the `describe` body.
 */
import type { BmsBenchDevice } from '../../emulators/bms/factory';
import type { PyEvent, PyPeer } from './py-peer';
import { useSocketcandPeerRig, type SocketcandPeerRig } from './socketcand-peer-rig';

export interface NativeVehiclePeerRig extends SocketcandPeerRig {
  /** Step `bms` every 100 ms of wall time until the test ends, and close it then. */
  runPlant(bms: BmsBenchDevice): void;
  /**
   * The usual start: attach `bms` (its own profile) to hub channel `channel`, run the plant, start `script` as the
   * vehicle there and wait for its `ready` line.
   */
  startVehicle(bms: BmsBenchDevice, script: string, channel: string, waitMs: number): Promise<PyPeer>;
}

export function useNativeVehiclePeerRig(): NativeVehiclePeerRig {
  const rig = useSocketcandPeerRig();
  const runPlant = (bms: BmsBenchDevice): void => {
    const stepper = setInterval(() => bms.device.step(0.1), 100);
    rig.onTeardown(() => {
      clearInterval(stepper);
      bms.close();
    });
  };
  return {
    get server() {
      return rig.server;
    },
    startPeer: (script, channel, args, waitMs) => rig.startPeer(script, channel, args, waitMs),
    onTeardown: (fn) => rig.onTeardown(fn),
    runPlant,
    async startVehicle(bms, script, channel, waitMs) {
      bms.attachCan(rig.server.attach(channel));
      runPlant(bms);
      const py = rig.startPeer(script, channel, [], waitMs);
      await py.next('ready');
      return py;
    },
  };
}

/**
 * Every cell the peer read back (`event.cells`, null where a read never reached python) is within `toleranceV` of
 * `now`, the pack's measured cells; `count` cells exactly. `what` names a cell in the failure ("cell", "brick").
 */
export function expectCellsReadBack(event: PyEvent, now: ArrayLike<number>, o: { count: number; toleranceV: number; what: string }): void {
  const cells = event.cells as Array<number | null>;
  expect(cells).toHaveLength(o.count);
  for (let i = 0; i < o.count; i++) {
    const tries = event.tries === undefined ? '' : ` (${String(event.tries)} requests)`;
    if (cells[i] === null) throw new Error(`${o.what} ${i + 1} never reached python${tries}`);
    expect(Math.abs(cells[i]! - now[i]!)).toBeLessThanOrEqual(o.toleranceV);
  }
}

/**
 * Send the peer `{"cmd": "silent"}` (it stops its keep-alive) and wait for its `event` line, whose `flag` must be
 * true (the pack went off or asleep); the seconds it took on python's side (`after_s`), for the test's contract.
 */
export async function silencePeer(py: PyPeer, event: string, flag: string): Promise<number> {
  py.send({ cmd: 'silent' });
  const off = await py.next(event);
  expect(off[flag]).toBe(true);
  return off.after_s as number;
}
