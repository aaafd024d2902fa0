/** Reported contactor state. `welded`: commanded open but still conducting. */
export type ContactorState = 'open' | 'precharge' | 'closed' | 'welded';

/**
 * Main contactor with precharge: open -> precharge (prechargeS) -> closed; opens when no longer wanted.
 * Physical faults (set by fault hooks): `weldedPhysical` keeps it conducting when commanded open (detected at
 * the open command: state `welded`, latched fault `weldDetected`); `failsToClosePhysical` keeps it open at the
 * end of precharge (latched fault `failedToClose`). Latched faults block closing until `reset()`, which keeps a
 * fault whose physical cause is still present.
 */
export class Contactor {
  state: ContactorState = 'open';
  weldedPhysical = false;
  failsToClosePhysical = false;
  weldDetected = false;
  failedToClose = false;
  /** Completed close operations. */
  cycles = 0;
  private prechargeLeftS = 0;

  constructor(private readonly prechargeS: number) {}

  /** Current can flow (closed, or welded). Precharge passes no load current. */
  get conducting(): boolean {
    return this.state === 'closed' || this.state === 'welded';
  }

  get faulted(): boolean {
    return this.weldDetected || this.failedToClose;
  }

  step(dt: number, wantClosed: boolean): void {
    if (this.state === 'welded') {
      if (!this.weldedPhysical) this.state = wantClosed ? 'closed' : 'open';
      return;
    }
    if (!wantClosed) {
      if (this.state === 'closed' && this.weldedPhysical) {
        this.state = 'welded';
        this.weldDetected = true;
      } else {
        this.state = 'open';
      }
      return;
    }
    if (this.state === 'open') {
      if (this.faulted) return;
      this.state = 'precharge';
      this.prechargeLeftS = this.prechargeS;
    }
    if (this.state === 'precharge') {
      this.prechargeLeftS -= dt;
      if (this.prechargeLeftS > 1e-9) return;
      if (this.failsToClosePhysical) {
        this.failedToClose = true;
        this.state = 'open';
      } else {
        this.state = 'closed';
        this.cycles++;
      }
    }
  }

  reset(): void {
    this.failedToClose = false;
    this.weldDetected = this.weldedPhysical && this.state === 'welded';
  }
}
