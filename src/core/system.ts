import type { Logger } from 'pino';
import type { z } from 'zod';
import type { AnyActionDefinition } from './action.js';
import type { LogSource } from './logs.js';
import type { Probe, ProbeSettings } from './probe.js';
import type { RestoreTestLog } from './restore-tests.js';

/** The newest restore test of a target, as the morning report shows it. */
export interface LastRestoreTest {
  target: string;
  at: Date;
  ok: boolean;
  durationMs: number;
  reason?: string;
}

/** The restore times (RTO) of a target's last restore tests, oldest first, for the morning report. */
export interface RestoreTimes {
  target: string;
  times: number[];
  /** True when the newest of them ran on the target's own (production) server. */
  onProductionServer?: boolean;
}

/** A target's newest backup and restore tests, for metrics and alert checks. */
export interface BackupFacts {
  target: string;
  /** When the newest backup was completed, and its size. */
  lastBackupAt?: Date;
  lastBackupBytes?: number;
  /** How long the newest finished restore test took, from the checksum to dropping the scratch database. */
  lastRestoreTestMs?: number;
  lastPassedRestoreTestAt?: Date;
}

/** Stops and starts one container; what a system offers others that must pause an application (e.g. during a restore). */
export interface ContainerControl {
  stop(name: string, signal: AbortSignal): Promise<void>;
  start(name: string, signal: AbortSignal): Promise<void>;
}

/**
 * What systems offer one another, through interfaces of `core/` only: a system never imports another.
 * Each field is filled by the system module that provides it (Docker provides `containers`).
 */
export interface SystemServices {
  /** The container control of the container target of this name; undefined when there is none. */
  containers(targetName: string): ContainerControl | undefined;
  /** The names of the configured container targets, for messages. */
  containerTargets(): string[];
  /** Where restore tests are also kept: the audit database when there is one (the bot provides it); else undefined. */
  restoreTestLog(): RestoreTestLog | undefined;
}

/** Every configured target's name, and its system. */
export interface TargetRef {
  name: string;
  optional?: boolean;
}

/**
 * Everything maintbot knows about one outside system, in one folder under `src/systems/<name>/`: its target
 * schema (`targets.<key>` in the config), its probe, its actions, its completions. The list in
 * `src/systems/index.ts` is folded into the config schema, the health probes, the action registry and chat
 * autocompletion, so adding a system is one folder and one list line.
 *
 * @example
 * export const memcachedSystem = defineSystem({
 *   key: 'memcached', system: 'memcached', cardinality: 'many',
 *   targetSchema: z.object({ name: targetNameSchema, url: z.string() }).strict(),
 *   probe: (target) => createMemcachedProbe(target),
 *   actions: (targets) => [memcachedFlushAction(targets)],
 *   completions: { memcached: (targets) => targets.map((target) => target.name) },
 * });
 */
export interface SystemModule<Target extends TargetRef = TargetRef, Key extends string = string, Cardinality extends 'many' | 'one' = 'many' | 'one'> {
  /** The key under `targets:` in the config, e.g. `postgres` or `backups`. */
  readonly key: Key;
  /** The system name findings and report titles carry, e.g. `postgres` or `backup`. */
  readonly system: string;
  /** `many`: `targets.<key>` is a list of targets; `one`: a single optional object (the host). */
  readonly cardinality: Cardinality;
  /** Validates one target; unknown keys are errors. */
  readonly targetSchema: z.ZodType<Target, unknown>;
  /** The read-only check of one target, built once at start, with the `health:` settings probes follow. */
  probe(target: Target, settings: ProbeSettings): Probe;
  /** The actions runbooks may name (`<system>.<verb>`); given every target of this system. */
  actions?(targets: readonly Target[], services: SystemServices): AnyActionDefinition[];
  /** The workload logs of this system's targets (containers, pods), for `/maint logs` and `logs.read`. */
  logSource?(targets: readonly Target[]): LogSource;
  /** What this system offers the others (see `SystemServices`). */
  services?(targets: readonly Target[]): Partial<SystemServices>;
  /** Completion kinds (a command argument's `complete:`) this system answers, e.g. `containers` → container names. */
  completions?: Record<string, (targets: readonly Target[]) => string[]>;
  /** Background work at start that never delays it (e.g. dropping scratch databases a crash left). */
  startup?(targets: readonly Target[], logger: Logger): Promise<void>;
  /** The newest restore test over this system's targets, for the morning report. */
  lastRestoreTest?(targets: readonly Target[]): Promise<LastRestoreTest | undefined>;
  /**
   * Background work repeated while the bot runs (e.g. dropping scratch databases a crash left): how often, from
   * the targets' config (undefined: never), and one round, which answers what it did, one line each.
   */
  housekeeping?: {
    intervalMs(targets: readonly Target[]): number | undefined;
    run(targets: readonly Target[], logger: Logger): Promise<string[]>;
  };
  /** Each target's newest backup and restore tests, read at each metrics scrape. */
  backupFacts?(targets: readonly Target[]): Promise<BackupFacts[]>;
  /** The last five restore times per target, for the morning report. */
  restoreTimes?(targets: readonly Target[]): Promise<RestoreTimes[]>;
}

/** A system module of any target type, for lists of modules. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnySystemModule = SystemModule<any, string, 'many' | 'one'>;

/** Declares a system module, keeping its key and cardinality as literal types for the config's typing. */
export function defineSystem<Target extends TargetRef, const Key extends string, const Cardinality extends 'many' | 'one'>(
  module: SystemModule<Target, Key, Cardinality>,
): SystemModule<Target, Key, Cardinality> {
  return module;
}
