/** Jest setup: the Temporal worker runtime logs warnings and errors only, without expected notes. */
import { installOperatorLogger } from '../../worker/runtime-logger';

installOperatorLogger('WARN');
