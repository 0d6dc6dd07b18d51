import { defineSystem } from '../../core/system.js';
import { createMysqlProbe } from './probe.js';
import { mysqlTargetSchema } from './target.js';

export { mysqlTargetSchema, type MysqlTarget } from './target.js';

/** MySQL and MariaDB: health, ANALYZE, OPTIMIZE and KILL QUERY after approval, backups and restore tests. */
export const mysqlSystem = defineSystem({
  key: 'mysql',
  system: 'mysql',
  cardinality: 'many',
  targetSchema: mysqlTargetSchema,
  probe: (target) => createMysqlProbe(target),
  completions: { mysql: (targets) => targets.map((target) => target.name) },
});
