import { VirtualClock } from '../../../core/clock';
import { HilTimeoutError } from '../../../core/errors';
import type { CanBus } from '../bus';
import { IsoTpLink } from '../isotp/isotp-link';
import { openBus } from '../registry';
import { NRC, SID, negative, positive } from './nrc';
import { udsRequest, UdsNegativeResponseError } from './uds-client';
import { UdsServer } from './uds-server';

const buses: CanBus[] = [];
const links: IsoTpLink[] = [];
afterEach(async () => {
  for (const l of links.splice(0)) l.close();
  for (const b of buses.splice(0)) await b.close();
});

let n = 0;
async function rig(answering = () => true) {
  const clock = new VirtualClock();
  const ch = `virtual:uds-${n++}`;
  const a = await openBus(ch, { clock });
  const b = await openBus(ch, { clock });
  buses.push(a, b);
  const tester = new IsoTpLink(a, { txId: 0x7e0, rxId: 0x7e8 });
  const ecu = new IsoTpLink(b, { txId: 0x7e8, rxId: 0x7e0 });
  links.push(tester, ecu);
  const server = new UdsServer(ecu, { answering });
  const ask = async (req: number[], timeoutMs?: number) => {
    const p = udsRequest(tester, clock, req, timeoutMs !== undefined ? { timeoutMs } : {});
    p.catch(() => undefined);
    await clock.advanceAsync(50);
    return p;
  };
  return { clock, tester, server, ask };
}

describe('UdsServer and udsRequest', () => {
  it('answers TesterPresent and DiagnosticSessionControl, and suppresses the positive answer on bit 7', async () => {
    const { ask, server } = await rig();
    expect(Array.from(await ask([0x3e, 0x00]))).toEqual([0x7e, 0x00]);
    expect(Array.from(await ask([0x10, 0x03]))).toEqual([0x50, 0x03, 0x00, 0x32, 0x01, 0xf4]);
    await expect(ask([0x3e, 0x80], 40)).rejects.toThrow(HilTimeoutError);
    expect(server.stats).toMatchObject({ requests: 3, positive: 2 });
  });

  it('refuses unknown services (0x11), bad sub-functions (0x12) and a throwing handler (0x10) with 7F', async () => {
    const { ask, server } = await rig();
    server.handle(SID.ReadDataByIdentifier, () => {
      throw new Error('boom');
    });
    await expect(ask([0x31, 0x01, 0x02, 0x03])).rejects.toMatchObject({ sid: 0x31, nrc: NRC.serviceNotSupported });
    await expect(ask([0x10, 0x09])).rejects.toMatchObject({ nrc: NRC.subFunctionNotSupported });
    await expect(ask([0x22, 0xf1, 0x90])).rejects.toBeInstanceOf(UdsNegativeResponseError);
    expect(server.stats.negative).toBe(3);
  });

  it('carries long answers over ISO-TP and waits through "response pending"', async () => {
    const { clock, tester, server } = await rig();
    const big = Array.from({ length: 300 }, (_, i) => i & 0xff);
    let pendingSent = false;
    server.handle(SID.ReadDataByIdentifier, (req) => {
      if (!pendingSent) {
        pendingSent = true;
        // The real answer comes 100 ms later, long after the 20 ms P2: only "pending" keeps the tester waiting.
        clock.setTimeout(() => void links[1]!.send(positive(SID.ReadDataByIdentifier, req.subarray(1), big)), 100);
        return negative(SID.ReadDataByIdentifier, NRC.responsePending);
      }
      return null;
    });
    const p = udsRequest(tester, clock, [0x22, 0xf1, 0x90], { timeoutMs: 20 });
    await clock.advanceAsync(200);
    const res = await p;
    expect(res.length).toBe(303);
    expect(Array.from(res.subarray(3, 8))).toEqual([0, 1, 2, 3, 4]);
  });

  it('stays silent while not answering, and counts it', async () => {
    const { ask, server } = await rig(() => false);
    await expect(ask([0x3e, 0x00], 40)).rejects.toThrow(HilTimeoutError);
    expect(server.stats.silenced).toBe(1);
  });
});
