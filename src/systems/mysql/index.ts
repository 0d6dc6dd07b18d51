import { defineSystem } from '../../core/system.js';
import { mysqlAnalyzeAction } from './actions/analyze.js';
import { mysqlOptimizeAction } from './actions/optimize.js';
import { mysqlTerminateAction } from './actions/terminate.js';
import { mysqlBackupAction, mysqlRestoreTestAction } from './backup/actions.js';
import { mysqlBackupFreshness } from './backup/freshness.js';
import { mysqlBackupFacts, mysqlLastRestoreTest, mysqlRestoreTimes } from './backup/history.js';
import { createMysqlProbe } from './probe.js';
import { mysqlTargetSchema } from './target.js';

export { mysqlTargetSchema, type MysqlTarget } from './target.js';

const names = (targets: readonly { name: string }[]) => targets.map((target) => target.name);

/** MySQL and MariaDB: health, ANALYZE, OPTIMIZE and KILL QUERY after approval, backups and restore tests. */
export const mysqlSystem = defineSystem({
  key: 'mysql',
  system: 'mysql',
  cardinality: 'many',
  targetSchema: mysqlTargetSchema,
  probe: (target) => createMysqlProbe(target, mysqlBackupFreshness),
  actions: (targets) => [mysqlAnalyzeAction(targets), mysqlOptimizeAction(targets), mysqlTerminateAction(targets), mysqlBackupAction(targets), mysqlRestoreTestAction(targets)],
  completions: { mysql: names, sql: names },
  lastRestoreTest: mysqlLastRestoreTest,
  restoreTimes: mysqlRestoreTimes,
  backupFacts: mysqlBackupFacts,
});
