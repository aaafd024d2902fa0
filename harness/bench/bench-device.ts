/**
 * The `BenchDevice` contract, declared beside the emulators' bench adapters (emulators/common/bench-device.ts) so
 * each device kind owns its adapter; re-exported here for the harness.
 */
export type { BenchDevice, BenchFaultHandle } from '../../emulators/common/bench-device';
