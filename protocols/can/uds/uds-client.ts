/** The tester's side: one request, one response, over an ISO-TP link (for test controllers and interop tests). */
import type { Clock } from '../../../core/clock';
import { HilTimeoutError, OperationError } from '../../../core/errors';
import type { IsoTpLink } from '../isotp/isotp-link';
import { NEGATIVE_RESPONSE, NRC } from './nrc';

/** The server answered `7F sid nrc`. */
export class UdsNegativeResponseError extends OperationError {
  constructor(
    readonly sid: number,
    readonly nrc: number,
  ) {
    super(`UDS service 0x${sid.toString(16)} refused: NRC 0x${nrc.toString(16)}`);
  }
}

export interface UdsRequestOptions {
  /** P2: time for the first response, ms (default 1000). */
  timeoutMs?: number;
  /** P2*: time after each "response pending" (NRC 0x78), ms (default 5000). */
  pendingTimeoutMs?: number;
}

/**
 * Send `request` and resolve with the positive response of the same service. Rejects with
 * `UdsNegativeResponseError` on a negative response, `HilTimeoutError` when none comes in time, and whatever the
 * link's send rejects with. Responses to other services are ignored. One request at a time per link.
 */
export function udsRequest(link: IsoTpLink, clock: Clock, request: ArrayLike<number>, options: UdsRequestOptions = {}): Promise<Uint8Array> {
  const req = Uint8Array.from(request);
  const sid = req[0]!;
  return new Promise((resolve, reject) => {
    let timer = clock.setTimeout(onTimeout, options.timeoutMs ?? 1000);
    function onTimeout(): void {
      off();
      reject(new HilTimeoutError(`no response to UDS service 0x${sid.toString(16)}`));
    }
    const off = link.onMessage((res) => {
      if (res[0] === NEGATIVE_RESPONSE && res[1] === sid) {
        clock.clearTimer(timer);
        if (res[2] === NRC.responsePending) {
          timer = clock.setTimeout(onTimeout, options.pendingTimeoutMs ?? 5000);
          return;
        }
        off();
        reject(new UdsNegativeResponseError(sid, res[2] ?? 0));
        return;
      }
      if (res[0] !== (sid | 0x40)) return;
      clock.clearTimer(timer);
      off();
      resolve(res);
    });
    link.send(req).catch((err: unknown) => {
      clock.clearTimer(timer);
      off();
      reject(err as Error);
    });
  });
}
