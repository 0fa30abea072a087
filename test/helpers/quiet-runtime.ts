/** Jest setup: the Temporal worker runtime logs warnings and errors only, so test output stays readable. */
import { DefaultLogger, Runtime } from '@temporalio/worker';

Runtime.install({ logger: new DefaultLogger('WARN') });
