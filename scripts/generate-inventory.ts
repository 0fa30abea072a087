/**
 * Writes a generated inventory (simulator/spoc/generated-inventory.ts) of `FLEET_SERVERS` site
 * servers to stdout, for `SPOOLFLOW_INVENTORY=<file> npm start`:
 *
 *   FLEET_SERVERS=1000 npx tsx scripts/generate-inventory.ts > estate.json
 */
import { inventoryFromEnv } from '../simulator/spoc/generated-inventory';

const inventory = inventoryFromEnv();
if (!inventory) {
  console.error('FLEET_SERVERS must be set: the number of site servers to generate');
  process.exit(2);
}
process.stdout.write(`${JSON.stringify(inventory, null, 2)}\n`);
