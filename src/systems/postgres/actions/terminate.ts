import { z } from 'zod';
import { CodedError } from '../../../core/errors.js';
import { notice } from '../../../core/report.js';
import type { ActionDefinition } from '../../../core/action.js';
import type { PostgresTarget } from '../probe.js';
import { approvedData } from './approved.js';
import { durationMs, emptyAsAbsent, placeInputs } from './inputs.js';
import { withMaintenanceSession } from './session.js';
import {
  listSessions,
  plannedSessionSchema,
  terminatePlanned,
  type ListedSession,
  type SessionCriteria,
  type TerminationResult,
} from './sessions.js';
import { allowedDatabase, postgresLockKey, resolvePostgresPlace } from './target.js';
import { formatSeconds } from '../../../render/units.js';

/** Without either threshold, sessions in a query for longer than this are listed. */
export const defaultOlderThanMs = 10 * 60_000;

const inputs = z.object({
  ...placeInputs,
  older_than: z.preprocess(emptyAsAbsent, durationMs.optional()),
  idle_in_transaction: z.preprocess(emptyAsAbsent, durationMs.optional()),
  include_own_user: z.boolean().default(false),
});

/** Inputs of `postgres.terminate`. */
export type TerminateInput = z.output<typeof inputs>;

const planData = z.object({ sessions: z.array(plannedSessionSchema) });

/**
 * `postgres.terminate`: terminates client sessions that run a query longer than `older_than` or sit idle
 * in a transaction longer than `idle_in_transaction`. The plan lists the exact sessions; `run` terminates
 * only those still in the planned query (a reused pid or a new query is left alone).
 */
export function postgresTerminateAction(targets: readonly PostgresTarget[]): ActionDefinition<TerminateInput> {
  return {
    name: 'postgres.terminate',
    destructive: true,
    inputs,
    outputs: {
      terminated: { type: 'list', description: 'pids terminated' },
      skipped: { type: 'list', description: 'planned pids left alone (gone, or reused by another query)' },
    },
    async plan(input, context) {
      const place = resolvePostgresPlace(targets, input.target);
      if (input.database !== undefined) allowedDatabase(place.target, input.database);
      const criteria = criteriaOf(input);
      const where = `on ${input.database ? `database ${input.database}` : 'every database'} of target ${place.target.name}`;
      const sessions = await withMaintenanceSession(place, context.signal, ({ client }) => listSessions(client, criteria));
      const looksFor = describeCriteria(criteria);
      return {
        summary:
          sessions.length === 0
            ? `nothing to terminate ${where}: no session ${looksFor}`
            : `terminate ${sessions.length} session${sessions.length === 1 ? '' : 's'} ${where}`,
        detail: [
          `sessions ${looksFor}${criteria.includeOwnUser ? '' : ", other than the bot's own user's"}`,
          ...sessions.map(describeSession),
          ...(sessions.length > 0 ? ['SQL: SELECT pg_terminate_backend(pid) for exactly these pids, if each still runs the listed query'] : []),
        ],
        lockKey: postgresLockKey(place.target),
        data: {
          sessions: sessions.map(({ pid, backend_start, query_start, reason }) => ({ pid, backend_start, query_start, reason })),
        },
      };
    },
    async run(input, context) {
      const place = resolvePostgresPlace(targets, input.target);
      const planned = approvedData('postgres.terminate', planData, context);
      if (!planned) {
        throw new CodedError('POSTGRES_TERMINATE_UNAPPROVED', 'postgres.terminate runs only on an approved plan', { target: place.target.name });
      }
      if (planned.sessions.length === 0) {
        return {
          summary: 'terminated nothing: the approved plan listed no session',
          message: notice('info', 'Nothing was terminated: the approved plan listed no session.'),
          output: { terminated: [], skipped: [] },
        };
      }
      await context.progress(`terminating ${planned.sessions.length} planned session(s)`);
      const results = await withMaintenanceSession(place, context.signal, ({ client }) => terminatePlanned(client, planned.sessions));
      const terminated = results.filter((result) => result.outcome === 'terminated' || result.outcome === 'signalled');
      const skipped = results.filter((result) => !terminated.includes(result));
      const summary = `terminated ${terminated.length} of ${results.length} planned session${results.length === 1 ? '' : 's'} on ${place.target.name}`;
      return {
        summary,
        message: notice('info', `${summary}.`, results.map(describeResult).join('\n')),
        output: {
          terminated: terminated.map((result) => result.session.pid),
          skipped: skipped.map((result) => result.session.pid),
        },
      };
    },
  };
}

function criteriaOf(input: TerminateInput): SessionCriteria {
  const neither = input.older_than === undefined && input.idle_in_transaction === undefined;
  return {
    ...(neither ? { olderThanMs: defaultOlderThanMs } : {}),
    ...(input.older_than !== undefined ? { olderThanMs: input.older_than } : {}),
    ...(input.idle_in_transaction !== undefined ? { idleInTransactionMs: input.idle_in_transaction } : {}),
    ...(input.database !== undefined ? { database: input.database } : {}),
    includeOwnUser: input.include_own_user,
  };
}

function describeCriteria(criteria: SessionCriteria): string {
  const parts = [
    criteria.olderThanMs !== undefined ? `in a query for over ${formatSeconds(criteria.olderThanMs / 1000)}` : undefined,
    criteria.idleInTransactionMs !== undefined ? `idle in a transaction for over ${formatSeconds(criteria.idleInTransactionMs / 1000)}` : undefined,
  ].filter(Boolean);
  return parts.join(' or ');
}

function describeSession(session: ListedSession): string {
  return `pid ${session.pid}: user ${session.user ?? '?'}, database ${session.database ?? '?'}, ${session.state} for ${formatSeconds(session.durationMs / 1000)}: ${session.query || '(no query text)'}`;
}

function describeResult(result: TerminationResult): string {
  const pid = `pid ${result.session.pid}`;
  switch (result.outcome) {
    case 'terminated':
      return `${pid} (user ${result.user ?? '?'}, database ${result.database ?? '?'}): terminated`;
    case 'signalled':
      return `${pid} (user ${result.user ?? '?'}, database ${result.database ?? '?'}): told to terminate, still exiting`;
    case 'gone':
      return `${pid}: had already gone`;
    case 'pid reused':
      return `${pid}: left alone, the pid now belongs to a new session`;
    case 'query changed':
      return `${pid}: left alone, it no longer runs the planned query`;
  }
}
