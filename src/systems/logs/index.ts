import { defineSystem } from '../../core/system.js';
import { createLogFoldersProbe, logFoldersTargetSchema } from './probe.js';

export { logFoldersTargetSchema, type LogFoldersTarget } from './probe.js';

/** Log folders: total size, files over a size, and the oldest file, per folder. */
export const logFoldersSystem = defineSystem({
  key: 'logs',
  system: 'logs',
  cardinality: 'many',
  targetSchema: logFoldersTargetSchema,
  probe: (target) => createLogFoldersProbe(target),
});
