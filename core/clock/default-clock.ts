import { RealClock } from './real-clock';

let shared: RealClock | undefined;

/** The process-wide real clock used when a component is given none. */
export function defaultClock(): RealClock {
  shared ??= new RealClock();
  return shared;
}
