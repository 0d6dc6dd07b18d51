import { defineSystem } from '../../core/system.js';
import { postgresActions } from './actions/index.js';
import { backupActions } from './backup/actions.js';
import { backupFacts, lastRestoreTest, restoreTimes } from './backup/last-restore-test.js';
import { orphanSweep, orphanSweepInterval, sweepScratchDatabases } from './backup/scratch.js';
import { createPostgresProbe, postgresTargetSchema } from './probe.js';

export { postgresTargetSchema, type PostgresTarget } from './probe.js';

/** PostgreSQL: health, vacuum, reindex, terminating sessions, backups, restores and restore tests. */
export const postgresSystem = defineSystem({
  key: 'postgres',
  system: 'postgres',
  cardinality: 'many',
  targetSchema: postgresTargetSchema,
  probe: createPostgresProbe,
  actions: (targets, services) => [...postgresActions(targets), ...backupActions(targets, { services })],
  completions: { postgres: (targets) => targets.map((target) => target.name), sql: (targets) => targets.map((target) => target.name) },
  startup: async (targets, logger) => void (await sweepScratchDatabases(targets, logger)),
  housekeeping: { intervalMs: orphanSweepInterval, run: orphanSweep },
  lastRestoreTest,
  restoreTimes,
  backupFacts,
});
