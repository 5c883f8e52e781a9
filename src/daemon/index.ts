/** The soak daemon: config, state, grouping, live events. */
export {
  Daemon,
  DaemonError,
  trialDirName,
  type DaemonOptions,
  type DaemonSummary,
} from './daemon.js';
export { loadSoakConfig, parseSoakConfig, SoakConfigError, type SoakConfig } from './config.js';
export { type LiveEvent, trialEvents } from './events.js';
export { trialSeed } from './seed.js';
export { failureSignature, type FailureSignature } from './signature.js';
export { readGroups, type GroupsFile, type FailureGroup } from './groups.js';
export { readState, statePath, type DaemonState } from './state.js';
