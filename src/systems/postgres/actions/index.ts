import type { ActionDefinition } from '../../../core/action.js';
import type { PostgresTarget } from '../probe.js';
import { postgresAnalyzeAction } from './analyze.js';
import { postgresMaintenanceActions } from './maintenance.js';
import { postgresReindexAction } from './reindex.js';
import { postgresTerminateAction } from './terminate.js';
import { postgresVacuumAction } from './vacuum.js';

export { postgresAnalyzeAction, type AnalyzeInput } from './analyze.js';
export { postgresReindexAction, type ReindexInput } from './reindex.js';
export { postgresTerminateAction, type TerminateInput } from './terminate.js';
export { postgresVacuumAction, type VacuumInput } from './vacuum.js';

/** `postgres.vacuum`, `postgres.analyze`, `postgres.reindex`, `postgres.terminate` and the `db-maintenance` actions over the configured PostgreSQL targets. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function postgresActions(targets: readonly PostgresTarget[]): ActionDefinition<any>[] {
  return [postgresVacuumAction(targets), postgresAnalyzeAction(targets), postgresReindexAction(targets), postgresTerminateAction(targets), ...postgresMaintenanceActions(targets)];
}
