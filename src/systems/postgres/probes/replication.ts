import type { ProbeFinding } from '../../../core/finding.js';
import type { CheckContext } from './check.js';
import { thresholdText } from './format.js';
import { formatBytes, formatSeconds } from '../../../render/units.js';
import { judgeHigh } from '../../../core/judge.js';

interface LagRow {
  in_recovery: boolean;
  replica_lag_s: number | null;
  replicas: { name: string; addr: string | null; state: string; lag_s: number | null }[];
}

const lagSql = `
  select pg_is_in_recovery() as in_recovery,
         case when pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() then 0
              else extract(epoch from now() - pg_last_xact_replay_timestamp())::float8 end as replica_lag_s,
         (select coalesce(json_agg(json_build_object('name', application_name, 'addr', client_addr::text, 'state', state,
                                                     'lag_s', extract(epoch from replay_lag)::float8)), '[]'::json)
            from pg_stat_replication) as replicas`;

/** Replay lag: this server's own when it is a replica, each attached replica's when it is a primary. */
export async function replicationLagCheck({ serverRows, thresholds }: CheckContext): Promise<ProbeFinding[]> {
  const rows = await serverRows<LagRow>(lagSql);
  const row = rows[0];
  if (!row) throw new Error('no replication row');
  const threshold = thresholdText(formatSeconds(thresholds.replication_lag_warn_s), formatSeconds(thresholds.replication_lag_crit_s));
  const judge = (lag: number) => judgeHigh(lag, { warn: thresholds.replication_lag_warn_s, crit: thresholds.replication_lag_crit_s });
  const note = 'a lagging replica serves stale reads and loses data on failover: check its network, disk and replay conflicts';
  const check = { checkId: 'postgres.replication_lag', label: 'replication lag' };
  if (row.in_recovery) {
    if (row.replica_lag_s === null) {
      return [{ ...check, status: 'unknown', text: 'replica has replayed nothing yet', threshold, note: 'check that the replica can reach its primary' }];
    }
    const status = judge(row.replica_lag_s);
    const measure = { value: row.replica_lag_s, unit: 'seconds' } as const;
    return [{ ...check, status, measure, text: `${formatSeconds(row.replica_lag_s)} behind the primary`, threshold, ...(status === 'ok' ? {} : { note }) }];
  }
  if (row.replicas.length === 0) return [{ ...check, status: 'ok', text: 'primary without attached replicas' }];
  const worstLag = Math.max(...row.replicas.map((r) => r.lag_s ?? 0));
  const status = judge(worstLag);
  return [
    {
      ...check,
      status,
      measure: { value: worstLag, unit: 'seconds' },
      text: `${row.replicas.length} replica(s), worst ${formatSeconds(worstLag)} behind`,
      threshold,
      ...(status === 'ok' ? {} : { note }),
      detail: row.replicas.map((r) => `${r.name || '(unnamed)'} ${r.addr ?? 'local'} · ${r.state} · ${r.lag_s === null ? 'caught up' : formatSeconds(r.lag_s)}`),
    },
  ];
}

interface SlotRow {
  slot_name: string;
  slot_type: string;
  database: string | null;
  active: boolean;
  retained_bytes: number | null;
}

const slotsSql = `
  select slot_name, slot_type, database, active,
         pg_wal_lsn_diff(case when pg_is_in_recovery() then pg_last_wal_replay_lsn() else pg_current_wal_lsn() end,
                         restart_lsn)::float8 as retained_bytes
    from pg_replication_slots
   order by active, slot_name`;

/** Replication slots nobody consumes: they keep WAL forever and fill the disk. */
export async function replicationSlotCheck({ serverRows }: CheckContext): Promise<ProbeFinding[]> {
  const rows = await serverRows<SlotRow>(slotsSql);
  const inactive = rows.filter((slot) => !slot.active);
  const check = { checkId: 'postgres.replication_slots', label: 'replication slots', measure: { value: inactive.length, unit: 'count' } } as const;
  if (inactive.length === 0) {
    return [{ ...check, status: 'ok', text: rows.length === 0 ? 'none' : `${rows.length}, all active`, threshold: 'warn at any inactive slot' }];
  }
  const retained = inactive.reduce((sum, slot) => sum + (slot.retained_bytes ?? 0), 0);
  return [
    {
      ...check,
      status: 'warn',
      text: `${inactive.length} of ${rows.length} inactive, holding ${formatBytes(retained)} of WAL`,
      threshold: 'warn at any inactive slot',
      note: 'an unused slot keeps WAL until the disk fills: reconnect its consumer or drop it with pg_drop_replication_slot()',
      detail: inactive.map(
        (slot) => `${slot.slot_name} (${slot.slot_type}${slot.database ? `, ${slot.database}` : ''}) · holds ${slot.retained_bytes === null ? 'no' : formatBytes(slot.retained_bytes)} WAL`,
      ),
    },
  ];
}
