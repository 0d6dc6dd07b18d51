import type pg from 'pg';

/** One schema change of the audit database, applied once and remembered by its version. */
export interface AuditMigration {
  version: number;
  description: string;
  statements: readonly string[];
}

/** Every schema change of the audit database, oldest first; append, never edit. */
export const auditMigrations: readonly AuditMigration[] = [
  {
    version: 1,
    description: 'audit table',
    statements: [
      `create table maintbot_audit (
         id bigserial primary key,
         at timestamptz not null,
         kind text not null,
         invocation_id text not null,
         platform text not null,
         actor_id text not null,
         actor_name text not null,
         channel text,
         command text,
         runbook text,
         step text,
         action text,
         approval_id text,
         args jsonb,
         outcome text not null,
         detail text,
         duration_ms bigint
       )`,
      'create index maintbot_audit_at_idx on maintbot_audit (at desc)',
      'create index maintbot_audit_invocation_idx on maintbot_audit (invocation_id)',
    ],
  },
  {
    version: 2,
    description: 'restore-test history',
    statements: [
      `create table maintbot_restore_tests (
         id bigserial primary key,
         at timestamptz not null,
         target text not null,
         dump text not null,
         outcome text not null,
         restore_ms bigint,
         entry jsonb not null
       )`,
      'create index maintbot_restore_tests_target_at_idx on maintbot_restore_tests (target, at desc)',
    ],
  },
];

/** Key of the transaction-scoped advisory lock that serialises migrations across bot processes. */
const MIGRATION_LOCK_KEY = 7_305_418_220_001;

/**
 * Brings the audit schema up to date in one transaction, holding an advisory lock so that
 * bot processes starting together apply each migration exactly once. Returns the versions applied.
 */
export async function migrateAuditSchema(client: pg.ClientBase, migrations: readonly AuditMigration[] = auditMigrations): Promise<number[]> {
  await client.query('begin');
  try {
    await client.query('select pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await client.query(
      `create table if not exists maintbot_schema_migrations (
         version integer primary key,
         applied_at timestamptz not null default now()
       )`,
    );
    const { rows } = await client.query<{ version: number }>('select version from maintbot_schema_migrations');
    const done = new Set(rows.map((row) => row.version));
    const applied: number[] = [];
    for (const migration of migrations) {
      if (done.has(migration.version)) continue;
      for (const statement of migration.statements) await client.query(statement);
      await client.query('insert into maintbot_schema_migrations (version) values ($1)', [migration.version]);
      applied.push(migration.version);
    }
    await client.query('commit');
    return applied;
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  }
}
