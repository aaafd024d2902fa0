/**
 * A diagnostic server (the pack's side of UDS / KWP2000) on an ISO-TP link: requests are dispatched by service id
 * to handlers a profile registers; everything else gets the standard negative responses.
 */
import type { IsoTpLink } from '../isotp/isotp-link';
import { NRC, SID, negative, positive } from './nrc';

/** What a handler returns: the full response (positive or negative), or `null` for no response at all. */
export type UdsHandler = (request: Uint8Array) => Uint8Array | null;

export interface UdsServerStats {
  requests: number;
  positive: number;
  negative: number;
  /** Requests heard while `answering()` was false (asleep, comms-loss fault): not answered. */
  silenced: number;
  /** Responses the link failed to deliver (flow-control timeout, overflow). */
  sendFailures: number;
}

export interface UdsServerOptions {
  /** False: requests are counted and not answered (default: always answer). */
  answering?: () => boolean;
  /** Called for each request heard while answering (a sign of life of the tester). */
  onRequest?: (request: Uint8Array) => void;
}

/**
 * Contract:
 * - Each complete request on the link is dispatched on its first byte. A registered handler's answer is sent as
 *   is; an unknown service gets `7F sid 11`; a handler that throws gets `7F sid 10` (general reject).
 * - Built in unless a handler replaces them: TesterPresent (0x3E, sub-function 0; bit 7 suppresses the positive
 *   response) and DiagnosticSessionControl (0x10, sessions 1..3, answering P2 50 ms and P2* 5000 ms).
 * - Responses are sent one at a time in request order (the link queues them); a failed send is counted.
 * - `close()` stops listening; the link stays open (its owner closes it). Idempotent.
 */
export class UdsServer {
  readonly stats: UdsServerStats = { requests: 0, positive: 0, negative: 0, silenced: 0, sendFailures: 0 };
  private readonly handlers = new Map<number, UdsHandler>();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly link: IsoTpLink,
    private readonly options: UdsServerOptions = {},
  ) {
    this.handlers.set(SID.TesterPresent, (req) => {
      if (req.length !== 2) return negative(SID.TesterPresent, NRC.incorrectMessageLengthOrInvalidFormat);
      if ((req[1]! & 0x7f) !== 0) return negative(SID.TesterPresent, NRC.subFunctionNotSupported);
      return req[1]! & 0x80 ? null : positive(SID.TesterPresent, [0]);
    });
    this.handlers.set(SID.DiagnosticSessionControl, (req) => {
      if (req.length !== 2) return negative(SID.DiagnosticSessionControl, NRC.incorrectMessageLengthOrInvalidFormat);
      const session = req[1]! & 0x7f;
      if (session < 1 || session > 3) return negative(SID.DiagnosticSessionControl, NRC.subFunctionNotSupported);
      return req[1]! & 0x80 ? null : positive(SID.DiagnosticSessionControl, [session, 0x00, 0x32, 0x01, 0xf4]);
    });
    this.unsubscribe = link.onMessage((req) => this.onRequest(req));
  }

  /** Register (or replace) the handler of service `sid`. */
  handle(sid: number, handler: UdsHandler): this {
    this.handlers.set(sid, handler);
    return this;
  }

  close(): void {
    this.unsubscribe();
  }

  private onRequest(req: Uint8Array): void {
    this.stats.requests++;
    if (this.options.answering && !this.options.answering()) {
      this.stats.silenced++;
      return;
    }
    this.options.onRequest?.(req);
    const sid = req[0]!;
    const handler = this.handlers.get(sid);
    let res: Uint8Array | null;
    try {
      res = handler ? handler(req) : negative(sid, NRC.serviceNotSupported);
    } catch {
      res = negative(sid, NRC.generalReject);
    }
    if (!res) return;
    if (res[0] === 0x7f) this.stats.negative++;
    else this.stats.positive++;
    this.link.send(res).catch(() => void this.stats.sendFailures++);
  }
}
