/**
 * The tiny Renault Zoe Gen2 vehicle controller as its own process, in real time:
 *
 *   node dist/examples/controllers/zoe-gen2-vehicle/main.js --pack pack1=socketcand://127.0.0.1:29536/ev \
 *     [--option maxCellDeviationV=0.1] [--option pollIntervalMs=200] [--option silentAtS=20]
 *
 * Prints `zoe gen2 vehicle ready` once every bus is open (see ../native-common/vehicle-main.ts for the rest).
 */
import { runVehicleMain } from '../native-common/vehicle-main';
import { createController } from './controller';

if (require.main === module) runVehicleMain(createController, 'zoe gen2 vehicle');
