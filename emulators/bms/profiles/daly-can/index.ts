/** Daly smart BMS, CAN request/response (./daly-frames.ts for the layout and sources). */
import type { Clock } from '../../../../core/clock';
import type { CanBus } from '../../../../protocols/can/bus';
import type { BmsDevice } from '../../device/bms-device';
import { attachAftermarket } from '../aftermarket-common/attach';
import type { CanProfileAttachment } from '../can-link';
import { dalyAnswer, DALY_MASTER } from './daly-frames';

export { dalyAnswer, dalyAnswerId, dalyRequestId, DALY_MASTER } from './daly-frames';
export { DALY_SOURCES } from './sources';

/**
 * Answer the master's requests to BMS `bmsId` (default 1). A request is a sign of life (`device.heartbeat()`); a
 * request with an id this profile serves but not 8 data bytes is malformed (counted, ignored); a command it does not
 * serve is answered with nothing (counted as answered: Daly BMSs stay silent on unknown commands, *assumed*).
 */
export function attachDalyCan(device: BmsDevice, bus: CanBus, o: { clock?: Clock; bmsId?: number } = {}): CanProfileAttachment {
  const bmsId = o.bmsId ?? 1;
  return attachAftermarket('daly-can', device, bus, {
    ...(o.clock ? { clock: o.clock } : {}),
    broadcasts: [],
    onRequest(f, dev, stats) {
      if (!f.extended || (f.id >>> 24) !== 0x18 || (f.id & 0xff) !== DALY_MASTER || ((f.id >>> 8) & 0xff) !== bmsId) return undefined;
      if (f.rtr || f.data.length !== 8) {
        stats.malformedIgnored++;
        return undefined;
      }
      return dalyAnswer((f.id >>> 16) & 0xff, bmsId, dev);
    },
  });
}
