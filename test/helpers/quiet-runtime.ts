/**
 * Jest setup: the Temporal worker runtime logs errors only. Tests inject faults on purpose, so the
 * warnings of failed activities are expected there; the assertions say what matters.
 */
import { installOperatorLogger } from '../../worker/runtime-logger';

installOperatorLogger('ERROR');
