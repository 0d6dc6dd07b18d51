import { z } from 'zod';
import type { ActionDefinition } from '../../../core/action.js';
import { approvedData, durationMs } from '../../../core/action-inputs.js';
import { CodedError, UserError } from '../../../core/errors.js';
import { notice } from '../../../core/report.js';
import { shortQuery } from '../../../render/figures.js';
import { formatSeconds } from '../../../render/units.js';
import { mysqlErrorCode, type MysqlSession } from '../connection.js';
import { runningStatements, statementStartSql } from '../probes/sessions.js';
import type { MysqlTarget } from '../target.js';
import { emptyAsAbsent, mysqlLockKey, placeInputs, resolveMysqlTarget, withMaintenanceSession } from './place.js';

/** Without a threshold, statements running longer than this are listed. */
export const defaultOlderThanMs = 10 * 60_000;

/** How far a statement's start may differ between two reads of the processlist (each is off by under a second). */
const startToleranceMs = 2000;

const inputs = z.object({
  ...placeInputs,
  older_than: z.preprocess(emptyAsAbsent, durationMs.optional()),
  idle_in_transaction: z.preprocess(emptyAsAbsent, durationMs.optional()),
  include_own_user: z.boolean().default(false),
});

/** Inputs of `mysql.terminate`. */
export type MysqlTerminateInput = z.output<typeof inputs>;

const plannedStatement = z.object({ id: z.number(), user: z.string(), db: z.string().nullable(), startedAt: z.string(), query: z.string() });
type PlannedStatement = z.output<typeof plannedStatement>;
const planData = z.object({ statements: z.array(plannedStatement) });

type KillOutcome = 'killed' | 'gone' | 'query changed';

/**
 * `mysql.terminate`: `KILL QUERY` for the statements running longer than `older_than` (10 min by default),
 * after approval. The plan lists each connection id with its user, database, start and query; `run` kills
 * only those whose id, start and query still match. The bot's own connections, and by default its user's,
 * are never listed.
 */
export function mysqlTerminateAction(targets: readonly MysqlTarget[]): ActionDefinition<MysqlTerminateInput> {
  return {
    name: 'mysql.terminate',
    destructive: true,
    outputs: {
      terminated: { type: 'list', description: 'connection ids whose statement was killed' },
      skipped: { type: 'list', description: 'planned ids left alone (ended, or running another statement)' },
    },
    inputs,
    async plan(input, context) {
      const target = resolveMysqlTarget(targets, input.target);
      if (input.idle_in_transaction !== undefined) {
        throw new UserError('--idle-in-transaction works on PostgreSQL targets only; on MySQL, KILL QUERY ends running statements.', 'Use --older-than, e.g. --older-than 10m.');
      }
      const olderThanMs = input.older_than ?? defaultOlderThanMs;
      const ownUser = decodeURIComponent(new URL(target.url).username);
      const statements = await withMaintenanceSession(target, context.signal, (session) =>
        runningStatements(session, {
          minSeconds: Math.ceil(olderThanMs / 1000),
          ...(input.database ? { database: input.database } : {}),
          ...(input.include_own_user ? {} : { excludeUser: ownUser }),
        }),
      );
      const where = `on ${input.database ? `database ${input.database}` : 'every database'} of target ${target.name}`;
      const looksFor = `running for over ${formatSeconds(olderThanMs / 1000)}`;
      return {
        summary: statements.length === 0 ? `nothing to kill ${where}: no statement ${looksFor}` : `KILL QUERY for ${statements.length} statement${statements.length === 1 ? '' : 's'} ${where}`,
        detail: [
          `statements ${looksFor}, other than the bot's own connections${input.include_own_user ? '' : ` and its user ${ownUser}'s`}`,
          ...statements.map((row) => `id ${row.id}: user ${row.user}, database ${row.db ?? '?'}, started ${row.startedAt.toISOString()}, running ${formatSeconds(row.seconds)}: ${shortQuery(row.query, 200)}`),
          ...(statements.length > 0 ? ['SQL: KILL QUERY <id> for exactly these ids, each only if its start and query still match; the connections stay open'] : []),
        ],
        lockKey: mysqlLockKey(target),
        data: { statements: statements.map((row) => ({ id: row.id, user: row.user, db: row.db, startedAt: row.startedAt.toISOString(), query: row.query })) },
      };
    },
    async run(input, context) {
      const target = resolveMysqlTarget(targets, input.target);
      const planned = approvedData('mysql.terminate', planData, context);
      if (!planned) throw new CodedError('MYSQL_TERMINATE_UNAPPROVED', 'mysql.terminate runs only on an approved plan', { target: target.name });
      if (planned.statements.length === 0) {
        return { summary: 'killed nothing: the approved plan listed no statement', message: notice('info', 'Nothing was killed: the approved plan listed no statement.'), output: { terminated: [], skipped: [] } };
      }
      await context.progress(`killing ${planned.statements.length} planned statement(s)`);
      const results = await withMaintenanceSession(target, context.signal, async (session) => {
        const outcomes: { statement: PlannedStatement; outcome: KillOutcome }[] = [];
        for (const statement of planned.statements) outcomes.push({ statement, outcome: await killIfUnchanged(session, statement) });
        return outcomes;
      });
      const killed = results.filter((result) => result.outcome === 'killed');
      const summary = `killed ${killed.length} of ${results.length} planned statement${results.length === 1 ? '' : 's'} on ${target.name}`;
      return {
        summary,
        message: notice('info', `${summary}.`, results.map(describeResult).join('\n')),
        output: { terminated: killed.map((result) => result.statement.id), skipped: results.filter((result) => result.outcome !== 'killed').map((result) => result.statement.id) },
      };
    },
  };
}

async function killIfUnchanged(session: MysqlSession, planned: PlannedStatement): Promise<KillOutcome> {
  const rows = await session.query<{ query: string | null; started_at: Date }>(
    `SELECT INFO AS query, ${statementStartSql} AS started_at FROM information_schema.PROCESSLIST WHERE ID = ?`,
    [planned.id],
  );
  const row = rows[0];
  if (!row) return 'gone';
  const sameStart = Math.abs(new Date(row.started_at).getTime() - new Date(planned.startedAt).getTime()) <= startToleranceMs;
  if (row.query !== planned.query || !sameStart) return 'query changed';
  try {
    await session.query(`KILL QUERY ${Number(planned.id)}`);
  } catch (error) {
    if (mysqlErrorCode(error) === 'ER_NO_SUCH_THREAD') return 'gone';
    throw error;
  }
  return 'killed';
}

function describeResult({ statement, outcome }: { statement: PlannedStatement; outcome: KillOutcome }): string {
  const id = `id ${statement.id} (user ${statement.user}, database ${statement.db ?? '?'})`;
  switch (outcome) {
    case 'killed':
      return `${id}: query killed`;
    case 'gone':
      return `${id}: had already ended`;
    case 'query changed':
      return `${id}: left alone, it no longer runs the planned query`;
  }
}
