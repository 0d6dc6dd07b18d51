import { defineSystem } from '../../core/system.js';
import { backupTargetSchema, createBackupProbe } from './probe.js';

export { backupTargetSchema, type BackupTarget } from './probe.js';

/** Dump folders of any system: freshness, size and count of the newest backups. */
export const backupsSystem = defineSystem({
  key: 'backups',
  system: 'backup',
  cardinality: 'many',
  targetSchema: backupTargetSchema,
  probe: createBackupProbe,
});
