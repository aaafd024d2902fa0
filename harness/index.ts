/**
 * The package as a library (`import { ... } from 'second-life-hil'`): benches, scenarios (files and the builder
 * API), the runner and campaigns, the placeholders of controller commands, clocks. The emulators have their own
 * entry points: `second-life-hil/emulators/bms`, `second-life-hil/emulators/inverter`; the clocks also
 * `second-life-hil/clock`. See README "Scenario files" (the TypeScript example) and docs/your-controller.md.
 */
export { loadBench, parseBench } from './bench/load-bench';
export type { Bench } from './bench/load-bench';
export type { BenchFile, CanBusSpec, ModbusEndpointSpec, DeviceSpec, DutSpec, DutIdentitySpec } from './bench/types';
export { BenchInstance } from './bench/bench-instance';
export type { BenchInstanceOptions } from './bench/bench-instance';
export { knownPlaceholders, substitutePlaceholders, CAN_PLACEHOLDER_PARTS, MODBUS_PLACEHOLDER_PARTS } from './bench/placeholders';
export { scenario, ScenarioBuilder } from './scenario/api';
export { loadScenario, parseScenario } from './scenario/load-scenario';
export type { Scenario } from './scenario/scenario';
export { runScenario, checkScenarioAgainstBench, VIRTUAL_EPOCH_MS } from './scenario/runner';
export type { RunOptions, ControllerModule } from './scenario/runner';
export { runCampaign } from './campaign/run-campaign';
export type { CampaignOptions, CampaignOutcome } from './campaign/run-campaign';
export type { ScenarioResult } from './scenario/result';
export { VirtualClock, RealClock, ScaledClock } from '../core/clock';
export type { Clock } from '../core/clock';
export { ConfigError, ExitCode } from '../core/errors';
export { packagePath, packageRoot } from '../core/package-root';
