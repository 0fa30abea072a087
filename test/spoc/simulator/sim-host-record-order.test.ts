/**
 * A site server records a stop or start it accepted only once its saved state holds it. A process
 * that dies between the two (kill -9) must not leave a record of a stop the host then forgot: the
 * invariant checks read the record, and the retry would stop the service again.
 */
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { SPOC_SERVICE } from '../../../machines/spoc/spoc-services';
import { SimFleet } from '../../../simulator/spoc/sim-fleet';
import type { SimHost } from '../../../simulator/spoc/sim-host';
import { createTestFleet, testInventory } from '../../helpers/sim-fleet';

/** Makes the host's saves fail until repaired: a folder where its state's temporary file is written. */
function breakSaving(fleet: SimFleet, host: string): () => void {
  const blocker = path.join(fleet.simDir, 'hosts', host, 'state.json.tmp');
  mkdirSync(blocker, { recursive: true });
  return () => rmSync(blocker, { recursive: true, force: true });
}

const spocKey = (host: SimHost) => host.server.services.find((s) => s.display === SPOC_SERVICE)?.key ?? SPOC_SERVICE;
const recorded = (fleet: SimFleet, operation: string) => fleet.record.read().filter((e) => e.operation === operation).map((e) => `${e.host} ${e.target} ${e.outcome}`);

test('a stop whose state could not be saved is not recorded; the host, loaded again, still runs the service, and the stop then is recorded once', () => {
  const fleet = createTestFleet(testInventory());
  fleet.stop();
  const host = fleet.host('spoc-lon-1');
  const repair = breakSaving(fleet, 'spoc-lon-1');
  expect(() => host.requestStop(spocKey(host))).toThrow();
  expect(recorded(fleet, 'stop-service')).toEqual([]);

  // As after a kill -9: a new process loads the host from what was saved.
  repair();
  const again = new SimFleet(fleet.inventory, fleet.simDir).host('spoc-lon-1');
  expect(again.serviceStates()[SPOC_SERVICE]).toBe('RUNNING');
  expect(again.requestStop(spocKey(again))).toBe('accepted');
  expect(recorded(fleet, 'stop-service')).toEqual([`spoc-lon-1 ${SPOC_SERVICE} accepted`]);
});

test('a start whose state could not be saved is not recorded either', () => {
  const fleet = createTestFleet(testInventory({ timeScale: 3000 }));
  const host = fleet.host('spoc-lon-2');
  expect(host.requestStop(spocKey(host))).toBe('accepted');
  const deadline = Date.now() + 10_000;
  while (host.serviceStates()[SPOC_SERVICE] !== 'STOPPED') {
    if (Date.now() > deadline) throw new Error('the SPOC did not stop');
    fleet.advance();
  }
  fleet.stop();
  const repair = breakSaving(fleet, 'spoc-lon-2');
  expect(() => host.requestStart(spocKey(host))).toThrow();
  expect(recorded(fleet, 'start-service')).toEqual([]);
  repair();
  const again = new SimFleet(fleet.inventory, fleet.simDir).host('spoc-lon-2');
  expect(again.serviceStates()[SPOC_SERVICE]).toBe('STOPPED');
});
