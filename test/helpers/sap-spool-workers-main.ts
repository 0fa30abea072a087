/**
 * A process running the SAP spool workers of a test (sap-spool-workers.ts) until killed: the
 * test kills it with SIGKILL in the middle of requests and starts another. Reads
 * SAP_TEST_ADDRESS, SAP_TEST_NAMESPACE, SAP_TEST_BUNDLE (the workflow code, bundled once by the
 * test), SAP_TEST_SIM_DIR and SAP_TEST_SYSTEMS (JSON).
 */
import { NativeConnection } from '@temporalio/worker';
import type { SimSapSystem } from '../../simulator/sap/sim-sap-estate';
import { createSapSpoolWorkers } from './sap-spool-workers';
import './quiet-runtime';

async function main(): Promise<void> {
  const env = (name: string) => process.env[name] ?? (() => { throw new Error(`${name} is not set`); })();
  const connection = await NativeConnection.connect({ address: env('SAP_TEST_ADDRESS') });
  const systems = JSON.parse(env('SAP_TEST_SYSTEMS')) as SimSapSystem[];
  const { workers } = await createSapSpoolWorkers({ connection, namespace: env('SAP_TEST_NAMESPACE') }, { codePath: env('SAP_TEST_BUNDLE') }, systems, env('SAP_TEST_SIM_DIR'), { toBeKilled: true });
  process.stdout.write('workers running\n');
  await Promise.all(workers.map((w) => w.run()));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
