/**
 * The diagnostic side the native EV pack profiles share: a UDS server on an ISO-TP link of the pack, answering while
 * the pack is attached, awake (or what the profile says) and not silenced by a 'comms-loss' fault, every answered
 * request counted; closed with the pack. And the `14 FF FF FF` handler every one of them has.
 */
import { IsoTpLink, type IsoTpOptions } from '../../../../protocols/can/isotp';
import { NRC, SID, UdsServer, negative, positive } from '../../../../protocols/can/uds';
import type { NativePack } from './native-pack';

export interface NativeDiagOptions {
  /** Answer while this holds (besides attached and no comms-loss); default: the pack is awake. */
  answeringWhile?: () => boolean;
  /** Called for each answered request after it is counted (e.g. a session timer). */
  onRequest?: () => void;
}

/**
 * Open the pack's ISO-TP link (`link`, on the pack's bus and clock) and a UDS server on it. Contract: a request is
 * answered only while `pack.attached`, `answeringWhile()` and no 'comms-loss' fault; each answered one counts in
 * `stats.requestsAnswered`; `pack.detach()` closes the server, then the link. Call before `pack.start` (the link
 * hears the bus before the profile's listener, as a real stack does).
 */
export function openNativeUds(pack: NativePack, linkOptions: Omit<IsoTpOptions, 'clock'>, o: NativeDiagOptions = {}): { link: IsoTpLink; uds: UdsServer } {
  const answeringWhile = o.answeringWhile ?? (() => pack.wake.awake);
  const link = new IsoTpLink(pack.bus, { ...linkOptions, clock: pack.clock });
  const uds = new UdsServer(link, {
    answering: () => pack.attached && answeringWhile() && !pack.device.faults.commsLost,
    onRequest: () => {
      pack.stats.requestsAnswered++;
      o.onRequest?.();
    },
  });
  pack.onDetach(() => {
    uds.close();
    link.close();
  });
  return { link, uds };
}

/** `14 FF FF FF` (ClearDiagnosticInformation): `before()` (the profile's own stored codes), then the device's latched faults reset. */
export function handleClearDtcs(uds: UdsServer, pack: NativePack, before?: () => void): void {
  uds.handle(SID.ClearDiagnosticInformation, (req) => {
    if (req.length !== 4) return negative(SID.ClearDiagnosticInformation, NRC.incorrectMessageLengthOrInvalidFormat);
    before?.();
    pack.device.resetFaults();
    return positive(SID.ClearDiagnosticInformation);
  });
}
