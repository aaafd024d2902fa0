/**
 * Writes data/inverters/vendor-map.schema.json from the schema the loader uses (emulators/inverter/vendor-map-schema.ts).
 * `npm run schema:vendor-map` after changing the format; a unit test fails while the two differ.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packagePath } from '../core/package-root';
import { VENDOR_MAP_SCHEMA } from '../emulators/inverter/vendor-map-schema';

export function writeVendorMapSchema(file = join(packagePath('data', 'inverters'), 'vendor-map.schema.json')): string {
  writeFileSync(file, `${JSON.stringify(VENDOR_MAP_SCHEMA, null, 2)}\n`);
  return file;
}

if (require.main === module) process.stdout.write(`${writeVendorMapSchema()}\n`);
