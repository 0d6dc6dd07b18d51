import type pg from 'pg';
import type { ProbeFinding } from '../../../core/finding.js';
import { checkOrUnknown, TargetUnreachable } from '../../../core/probe.js';
import { formatSeconds } from '../../../render/units.js';
import { closePostgresClient, openPostgresClient } from '../connection.js';
import { checkNote, serverMessage, type CheckContext, type CheckName } from './check.js';
import { healthConnection } from './connect.js';
import { databaseSizeCheck, databaseSizeName, deadTupleCheck, deadTuplesName } from './storage.js';

interface Read {
  at: number;
  findings: ProbeFinding[];
}

/**
 * One target's figures that need a connection to each of its databases (dead tuples, size), per database, as its
 * last runs read them: reported again, with their age, while younger than `everyMs` (`health.table_stats_every`),
 * so a run needs no connection to each database. 0 reads them on every run. A read that failed is never kept.
 */
export class TableStatsCache {
  private readonly reads = new Map<string, Read>();

  constructor(private readonly everyMs: number) {}

  /** The findings of `database` read less than `everyMs` before `now`, each text saying how long ago; undefined when they are due. */
  fresh(database: string, now: number): ProbeFinding[] | undefined {
    const read = this.reads.get(database);
    if (read === undefined || this.everyMs <= 0 || now - read.at >= this.everyMs) return undefined;
    const age = `read ${formatSeconds(Math.max(0, now - read.at) / 1000)} ago`;
    return read.findings.map((finding) => ({ ...finding, text: `${finding.text} (${age})` }));
  }

  /** Keeps what a run read of `database` at `now`, unless a check of it could not be read. */
  remember(database: string, findings: ProbeFinding[], now: number): void {
    if (findings.some((finding) => finding.status === 'unknown')) this.reads.delete(database);
    else this.reads.set(database, { at: now, findings });
  }
}

/** What a read of one database's table stats gave: its findings, or why it could not connect. */
export type TableStatsRead = { findings: ProbeFinding[]; unreachable?: never } | { findings?: never; unreachable: string };

/** Reads one database's table stats on a connection of its own, opened and closed here. */
export async function tableStatsOnOwnConnection(database: string, url: string, context: Pick<CheckContext, 'thresholds' | 'now'>, signal: AbortSignal): Promise<TableStatsRead> {
  let client: pg.Client;
  try {
    client = await openPostgresClient(healthConnection(url), signal);
  } catch (error) {
    if (!(error instanceof TargetUnreachable)) throw error;
    return { unreachable: error.message };
  }
  try {
    return await readTableStats(client, database, context, signal);
  } finally {
    await closePostgresClient(client);
  }
}

/** The dead tuples and the size of the database `client` is connected to; a check that fails is one `unknown` finding. */
export async function readTableStats(client: pg.Client, database: string, context: Pick<CheckContext, 'thresholds' | 'now'>, signal: AbortSignal): Promise<TableStatsRead> {
  const unread = (name: CheckName) => ({ name, reason: serverMessage, note: checkNote });
  const [deadTuples, size] = await Promise.all([
    checkOrUnknown(() => deadTupleCheck(client, database, context.thresholds, context.now), unread(deadTuplesName(database)), signal),
    checkOrUnknown(() => databaseSizeCheck(client, database), unread(databaseSizeName(database)), signal),
  ]);
  return { findings: [...deadTuples, ...size] };
}

/** The dead-tuple line of a database that could not be connected to. */
export function tableStatsNotChecked(database: string, reason: string): ProbeFinding {
  return { ...deadTuplesName(database), status: 'unknown', text: `not checked: ${reason}`, note: 'check the databases listed for this target' };
}
