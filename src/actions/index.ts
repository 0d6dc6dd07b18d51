import { backupActions } from '../backup/actions.js';
import type { TargetsConfig } from '../config/targets.js';
import type { ActionDefinition } from '../engine/action.js';
import { dockerContainerActions } from './docker-actions.js';
import { postgresActions } from './postgres/index.js';

/**
 * The maintenance actions over the configured targets: `docker.restart|stop|start` and
 * `postgres.vacuum|reindex|terminate`. Registered whatever the config holds; with no target of a
 * system, its actions answer with a `UserError` saying so.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function maintenanceActions(targets: TargetsConfig): ActionDefinition<any>[] {
  return [...dockerContainerActions(targets.docker), ...postgresActions(targets.postgres), ...backupActions(targets)];
}
