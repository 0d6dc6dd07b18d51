import { z } from 'zod';
import { emptyAsAbsent } from '../actions/inputs.js';
import { postgresLockKey } from '../actions/target.js';
import { UserError } from '../../../core/errors.js';
import type { ActionDefinition, AnyActionDefinition } from '../../../core/action.js';
import type { ContainerControl, SystemServices } from '../../../core/system.js';
import type { PostgresTarget } from '../probe.js';
import { recordedSha256, verifyChecksum, VerificationLog } from './checksum.js';
import { takeBackup } from './dump.js';
import { listBackups, readSidecar, resolveBackup, restoreTestRecordSchema, sidecarsOf } from './files.js';
import { defaultPgToolLookup, type PgToolLookup } from './pg-tools.js';
import { ageOf, backupLine, backupReport, backupsReport, restoreReport, restoreTestReport } from './reports.js';
import { inspectRestore, performRestore } from './restore.js';
import { runRestoreTest } from './restore-test.js';
import { targetHistory } from './history.js';
import { restoreTestsReport } from './history-report.js';
import { hasBackup, resolveBackupTarget, type BackupTarget } from './targets.js';
import { formatBytes } from '../../../render/units.js';

const optionalText = z.preprocess(emptyAsAbsent, z.string().min(1).optional());
const backupInputs = z.object({ target: optionalText });
const backupsInputs = z.object({ target: optionalText, verify: z.boolean().default(false) });
const restoreTestInputs = z.object({ target: optionalText, backup: optionalText });
const restoreTestsInputs = z.object({ target: optionalText });
const restoreInputs = z.object({
  target: optionalText,
  backup: z.string().min(1, 'name the backup file, as /maint backups lists it'),
  into: z.string().min(1, 'name the database to restore into with --into').max(63, 'is too long for a database name'),
});

/** Inputs of `postgres.backup`. */
export type BackupInput = z.output<typeof backupInputs>;
/** Inputs of `postgres.backups`. */
export type BackupsInput = z.output<typeof backupsInputs>;
/** Inputs of `postgres.restore-test`. */
export type RestoreTestInput = z.output<typeof restoreTestInputs>;
/** Inputs of `postgres.restore-tests`. */
export type RestoreTestsInput = z.output<typeof restoreTestsInputs>;
/** Inputs of `postgres.restore`. */
export type RestoreInput = z.output<typeof restoreInputs>;

/** What the backup actions are built with; tests narrow the tool lookup. */
export interface BackupActionOptions {
  /** Where `pg_dump` and `pg_restore` are looked for (default: `/usr/lib/postgresql/<major>/bin`, then `PATH`). */
  lookup?: PgToolLookup;
  /** The last checksum verdict of each dump, shown by `/maint backups`; never used instead of hashing. */
  checksums?: VerificationLog;
  /** Where dependent containers are stopped and started (the Docker system's service). */
  services?: SystemServices;
}

const restorePlanData = z.object({ file: z.string(), size: z.number(), mtimeMs: z.number(), into: z.string() });

/**
 * `postgres.backup`, `postgres.backups`, `postgres.restore-test`, `postgres.restore-tests` (all safe) and `postgres.restore` (destructive)
 * over the PostgreSQL targets that have a `backup` block.
 */
export function backupActions(postgres: readonly PostgresTarget[], options: BackupActionOptions = {}): AnyActionDefinition[] {
  const lookup = (): PgToolLookup => options.lookup ?? defaultPgToolLookup();
  const checksums = options.checksums ?? new VerificationLog();
  const chosenTargets = (name: string | undefined): BackupTarget[] => (name === undefined ? postgres.filter(hasBackup) : [resolveBackupTarget(postgres, name).target]);

  const backup: ActionDefinition<BackupInput> = {
    name: 'postgres.backup',
    destructive: false,
    inputs: backupInputs,
    outputs: {
      file: { type: 'string', description: 'the dump file name' },
      path: { type: 'string', description: 'its full path' },
      bytes: { type: 'number', description: 'its size' },
      durationMs: { type: 'number', description: 'how long pg_dump took' },
      sha256: { type: 'string', description: 'its checksum' },
      removed: { type: 'list', description: 'older dumps retention removed' },
    },
    async plan(input) {
      const { target, database } = resolveBackupTarget(postgres, input.target);
      const retention = describeRetention(target);
      return {
        summary: `pg_dump -Fc of ${database} on target ${target.name} into ${target.backup.dir}`,
        detail: ['writes <target>-<database>-<UTC time>.dump with .sha256 and .meta.json (row counts) beside it', `retention: ${retention}`],
      };
    },
    async run(input, context) {
      const { target, database } = resolveBackupTarget(postgres, input.target);
      const outcome = await takeBackup({ target, database, lookup: lookup(), signal: context.signal, progress: context.progress });
      return {
        message: backupReport(target.name, outcome, context.invocation.actor.name),
        summary: `backed up ${database} on ${target.name}: ${formatBytes(outcome.file.size)}`,
        output: { file: outcome.file.name, path: outcome.file.path, bytes: outcome.file.size, durationMs: outcome.meta.duration_ms, sha256: outcome.meta.sha256, removed: outcome.removed },
      };
    },
  };

  const backups: ActionDefinition<BackupsInput> = {
    name: 'postgres.backups',
    destructive: false,
    inputs: backupsInputs,
    outputs: { status: { type: 'string', description: 'ok, warn, crit or unknown over the listed backups' } },
    async plan(input) {
      const chosen = chosenTargets(input.target);
      return { summary: `list the backups of ${chosen.map((target) => target.name).join(', ') || 'no target'}${input.verify ? ', verifying every checksum' : ''}`, detail: [] };
    },
    async run(input, context) {
      const chosen = chosenTargets(input.target);
      if (chosen.length === 0) resolveBackupTarget(postgres);
      const sections = [];
      for (const target of chosen) {
        const { database } = resolveBackupTarget(postgres, target.name);
        const files = await listBackups(target.backup.dir, target.name, database);
        if (input.verify && files.length > 0) await context.progress(`verifying ${files.length} checksums of ${target.name}`);
        const lines = [];
        for (const file of files) {
          const remembered = input.verify ? undefined : checksums.last(file);
          const state = input.verify
            ? (await verifyChecksum(file, context.signal, checksums)).state
            : (remembered?.verdict.state ?? ((await recordedSha256(file.path)) === undefined ? 'missing' : 'not verified'));
          lines.push(backupLine(file, state, await readSidecar(sidecarsOf(file.path).restoreTest, restoreTestRecordSchema), Date.now(), remembered?.at));
        }
        sections.push({ target: target.name, dir: target.backup.dir, lines });
      }
      const report = backupsReport(sections, context.invocation.actor.name, input.verify);
      return { message: report, summary: report.summary ?? 'backups listed', output: { status: report.status } };
    },
  };

  const restoreTest: ActionDefinition<RestoreTestInput> = {
    name: 'postgres.restore-test',
    destructive: false,
    inputs: restoreTestInputs,
    outputs: {
      passed: { type: 'boolean', description: 'the restore and its validation passed' },
      file: { type: 'string', description: 'the dump that was restored' },
      restoreMs: { type: 'number', description: 'the restore time (null when it did not finish)' },
      restoredBytes: { type: 'number', description: 'the size of the restored database (null when unknown)' },
      reason: { type: 'string', description: 'why it failed (null when it passed)' },
    },
    async plan(input) {
      const { target, database } = resolveBackupTarget(postgres, input.target);
      const settings = target.backup.restore_test;
      const file = await resolveBackup(target.backup.dir, target.name, database, input.backup);
      return {
        summary: `restore ${file.name} into a scratch database ${settings.scratch_prefix}… on target ${target.name}, check it, drop it`,
        detail: [
          'verify the sha256 and pg_restore --list',
          `pg_restore --jobs ${settings.jobs} --no-owner --no-privileges into the scratch database`,
          `check tables and row counts (tolerance ${settings.row_count_tolerance_pct} %) and ${settings.checks.length} custom checks`,
          'drop the scratch database, also on failure or cancel',
        ],
      };
    },
    async run(input, context) {
      const { target, database } = resolveBackupTarget(postgres, input.target);
      const result = await runRestoreTest({
        target,
        database,
        ...(input.backup !== undefined ? { backup: input.backup } : {}),
        lookup: lookup(),
        checksums,
        signal: context.signal,
        progress: context.progress,
        requestedBy: { name: context.invocation.actor.name, scheduled: context.invocation.origin === 'schedule' },
      });
      if (!result.dropped) context.logger.warn({ database: result.scratchDatabase }, 'could not drop the scratch database of a restore test');
      const report = restoreTestReport(target.name, result, context.invocation.actor.name);
      return {
        message: report,
        summary: `restore test of ${result.file.name}: ${result.passed ? 'passed' : 'failed'}`,
        output: { passed: result.passed, file: result.file.name, restoreMs: result.restoreMs ?? null, restoredBytes: result.restoredBytes ?? null, reason: result.reason ?? null },
        ...(result.passed ? {} : { failure: `the restore test of ${result.file.name} failed: ${result.reason}` }),
      };
    },
  };

  const restoreTests: ActionDefinition<RestoreTestsInput> = {
    name: 'postgres.restore-tests',
    destructive: false,
    inputs: restoreTestsInputs,
    outputs: { status: { type: 'string', description: 'ok, warn, crit or unknown over the restore tests' } },
    async plan(input) {
      const chosen = chosenTargets(input.target);
      return { summary: `read the restore-test history of ${chosen.map((target) => target.name).join(', ') || 'no target'}`, detail: [] };
    },
    async run(input, context) {
      const chosen = chosenTargets(input.target);
      if (chosen.length === 0) resolveBackupTarget(postgres);
      const histories = await Promise.all(
        chosen.map(async (target) => ({ target: target.name, entries: await targetHistory(target.backup.dir, target.name, resolveBackupTarget(postgres, target.name).database) })),
      );
      const report = restoreTestsReport(histories, context.invocation.actor.name);
      return { message: report, summary: report.summary ?? 'restore tests listed', output: { status: report.status } };
    },
  };

  const restore: ActionDefinition<RestoreInput> = {
    name: 'postgres.restore',
    destructive: true,
    inputs: restoreInputs,
    outputs: {
      file: { type: 'string', description: 'the dump that was restored' },
      into: { type: 'string', description: 'the database it overwrote' },
      restoreMs: { type: 'number', description: 'how long the restore took' },
      status: { type: 'string', description: 'ok when the row counts match the backup' },
      target: { type: 'string', description: 'the PostgreSQL target restored into' },
      dockerTarget: { type: 'string', description: 'the Docker target of the dependent containers (null when none are configured)' },
      containers: { type: 'list', description: 'the dependent containers stopped and started again' },
    },
    async plan(input, context) {
      const { target, database } = resolveBackupTarget(postgres, input.target);
      const dependents = dependentContainers(target, options.services);
      const facts = await inspectRestore(target, database, input.backup, input.into, context.signal);
      const overwritten = facts.current.exists
        ? `overwrites ${input.into}: ${formatBytes(facts.current.sizeBytes ?? 0)}, ${facts.current.tables ?? 'unknown number of'} tables, owner ${facts.current.owner} — everything in it is replaced`
        : `creates ${input.into} (it does not exist yet)`;
      return {
        summary: `restore ${facts.file.name} into database ${input.into} on target ${target.name}`,
        detail: [
          `backup: ${facts.file.path}, ${ageOf(facts.file)} old, ${formatBytes(facts.file.size)}${facts.meta ? `, ${facts.meta.tables.length} tables of ${facts.meta.database}` : ''}`,
          overwritten,
          ...(dependents ? [`stops containers ${dependents.names.join(', ')} on Docker target ${dependents.target}, starts them again afterwards`] : []),
          `SQL: DROP DATABASE ${input.into} WITH (FORCE); CREATE DATABASE ${input.into} (same owner, encoding, locale)`,
          `pg_restore --jobs ${target.backup.restore_test.jobs} --exit-on-error into ${input.into}, then row counts compared with the backup's`,
        ],
        lockKey: postgresLockKey(target),
        data: { file: facts.file.name, size: facts.file.size, mtimeMs: facts.file.mtimeMs, into: input.into },
      };
    },
    async run(input, context) {
      const { target, database } = resolveBackupTarget(postgres, input.target);
      const planned = context.approvedPlan ? restorePlanData.safeParse(context.approvedPlan.data) : undefined;
      if (planned && (!planned.success || planned.data.into !== input.into)) {
        throw new UserError('The approved restore plan does not match this request; nothing was done. Ask again to see a fresh plan.');
      }
      const dependents = dependentContainers(target, options.services);
      const outcome = await performRestore({
        target,
        database,
        backup: planned?.success ? planned.data.file : input.backup,
        into: input.into,
        lookup: lookup(),
        checksums,
        ...(dependents ? { containers: { names: dependents.names, control: dependents.control } } : {}),
        ...(planned?.success ? { planned: { size: planned.data.size, mtimeMs: planned.data.mtimeMs } } : {}),
        signal: context.signal,
        progress: context.progress,
      });
      const report = restoreReport(target.name, input.into, outcome, context.invocation.actor.name);
      return {
        message: report,
        summary: `restored ${outcome.file.name} into ${input.into} on ${target.name}`,
        output: {
          file: outcome.file.name,
          into: input.into,
          restoreMs: outcome.restoreMs,
          status: report.status,
          target: target.name,
          dockerTarget: dependents?.target ?? null,
          containers: outcome.containersRestarted,
        },
      };
    },
  };

  return [backup, backups, restoreTest, restoreTests, restore];
}

function describeRetention(target: BackupTarget): string {
  const { keep_days: days, keep_last: last } = target.backup.retention;
  const rules = [days !== undefined ? `${days} days` : undefined, last !== undefined ? `the ${last} newest` : undefined].filter(Boolean);
  return rules.length === 0 ? 'keeps every backup' : `keeps backups of the last ${rules.join(' and ')}; never the new one`;
}

function dependentContainers(target: BackupTarget, services: SystemServices | undefined): { target: string; names: string[]; control: ContainerControl } | undefined {
  const dependents = target.backup.dependent_containers;
  if (!dependents) return undefined;
  const control = services?.containers(dependents.docker_target);
  if (!control) {
    const known = services?.containerTargets() ?? [];
    throw new UserError(
      `targets.postgres ${target.name} backup.dependent_containers names Docker target ${dependents.docker_target}, which is not configured. Docker targets: ${known.join(', ') || 'none'}.`,
    );
  }
  return { target: dependents.docker_target, names: dependents.containers, control };
}
