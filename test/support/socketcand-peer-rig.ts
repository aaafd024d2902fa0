/**
 * The rig of the interop tests where a python peer talks to us over a socketcand hub (python-can's socketcand
 * interface): a `SocketcandServer` on port 0 for each test, the python peer started on one of its channels, and
 * their teardown after each test (the caller's teardown steps first, in the order given, then the peer, then the
 * hub). Call inside the `describe` body.
 */
import { SocketcandServer } from '../../protocols/can/socketcand';
import { PyPeer } from './py-peer';

export interface SocketcandPeerRig {
  /** The hub of the current test. */
  readonly server: SocketcandServer;
  /**
   * Start `script` with `--port <hub port> --channel <channel>` and then `args`; killed (and awaited) at the end of
   * the test. `waitMs`: the peer's failure bound for each awaited line (PyPeer's default when left out).
   */
  startPeer(script: string, channel: string, args?: readonly string[], waitMs?: number): PyPeer;
  /** Run `fn` at the end of the test, before the peer is killed and the hub closed (detach a profile, stop a plant). */
  onTeardown(fn: () => void): void;
}

export function useSocketcandPeerRig(): SocketcandPeerRig {
  let server: SocketcandServer | undefined;
  let port = 0;
  let py: PyPeer | undefined;
  let teardown: Array<() => void> = [];

  beforeEach(async () => {
    server = new SocketcandServer({ port: 0, log: () => undefined });
    ({ port } = await server.listen());
  });

  afterEach(async () => {
    for (const fn of teardown) fn();
    teardown = [];
    if (py) {
      py.kill();
      await py.done;
      py = undefined;
    }
    await server?.close();
    server = undefined;
  });

  return {
    get server() {
      if (!server) throw new Error('the rig has no hub outside a test');
      return server;
    },
    startPeer(script, channel, args = [], waitMs) {
      py = new PyPeer(script, ['--port', String(port), '--channel', channel, ...args], waitMs);
      return py;
    },
    onTeardown(fn) {
      teardown.push(fn);
    },
  };
}
