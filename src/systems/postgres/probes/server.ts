import type { ProbeFinding } from '../../../core/finding.js';
import type { CheckContext } from './check.js';
import { thresholdText } from './format.js';
import { formatPercent, formatSeconds } from '../../../render/units.js';
import { judgeHigh } from '../../../core/judge.js';

interface ServerRow {
  version: string;
  uptime_s: number;
  in_recovery: boolean;
  max_connections: number;
  reserved: number;
  used: number;
  by_state: Record<string, number> | null;
}

const serverSql = `
  select current_setting('server_version') as version,
         extract(epoch from now() - pg_postmaster_start_time())::float8 as uptime_s,
         pg_is_in_recovery() as in_recovery,
         current_setting('max_connections')::int as max_connections,
         current_setting('superuser_reserved_connections')::int as reserved,
         (select count(*)::int from pg_stat_activity where backend_type = 'client backend') as used,
         (select json_object_agg(s, n) from (
            select coalesce(state, 'unknown') as s, count(*)::int as n
              from pg_stat_activity where backend_type = 'client backend' group by 1) by_state) as by_state`;

/** Reachable, version, uptime and role; connections used against max_connections. */
export async function serverChecks({ serverRows, thresholds }: CheckContext): Promise<ProbeFinding[]> {
  const rows = await serverRows<ServerRow>(serverSql);
  const row = rows[0];
  if (!row) throw new Error('no server row');
  const role = row.in_recovery ? 'replica' : 'primary';
  const server: ProbeFinding = {
    checkId: 'postgres.server',
    status: 'ok',
    measure: { value: row.uptime_s, unit: 'seconds' },
    label: 'server',
    text: `PostgreSQL ${row.version.replace(/\s*\(.*\)$/, '')}, ${role}, up ${formatSeconds(row.uptime_s)}`,
  };
  const pct = (row.used / row.max_connections) * 100;
  const status = judgeHigh(pct, { warn: thresholds.connections_warn_pct, crit: thresholds.connections_crit_pct });
  const connections: ProbeFinding = {
    checkId: 'postgres.connections',
    status,
    measure: { value: pct, unit: 'percent' },
    label: 'connections',
    text: `${row.used} of ${row.max_connections} (${formatPercent(pct)})`,
    threshold: thresholdText(formatPercent(thresholds.connections_warn_pct), formatPercent(thresholds.connections_crit_pct)),
    detail: Object.entries(row.by_state ?? {})
      .sort(([, a], [, b]) => b - a)
      .map(([state, count]) => `${count} ${state}`),
  };
  if (status !== 'ok') {
    connections.note = `new clients fail once ${row.max_connections - row.reserved} are in use: close idle clients, put a pooler (PgBouncer) in front, or raise max_connections`;
  }
  return [server, connections];
}
