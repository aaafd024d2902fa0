export type { Clock, TimerHandle } from './clock';
export { RealClock } from './real-clock';
export type { RealClockOptions } from './real-clock';
export { VirtualClock, flushMicrotasks } from './virtual-clock';
export { defaultClock } from './default-clock';
export { ScaledClock } from './scaled-clock';
export { PeriodicSchedule } from './periodic-schedule';
export type { PeriodicScheduleOptions, ScheduleSlot, ScheduleStats } from './periodic-schedule';
