import type { Logger } from 'pino';
import type { AnyActionDefinition } from '../core/action.js';
import type { LogSource } from '../core/logs.js';
import { defaultProbeSettings, type Probe, type ProbeSettings } from '../core/probe.js';
import type { AnySystemModule, BackupFacts, LastRestoreTest, RestoreTimes, SystemServices } from '../core/system.js';
import { targetsOf, type TargetsConfig } from '../config/targets.js';
import { sharedVerbActions } from './shared-verbs.js';
import type { DashboardOf } from '../core/links.js';
import type { TargetCommon } from '../core/target-fields.js';

/** What is known about a target beyond its system's own fields. */
export interface TargetFacts {
  system: string;
  labels: Record<string, string>;
  dashboardUrl?: string;
}

/** Each target's dashboard URL by name, from `targetFacts()`. */
export function dashboardsOf(facts: ReadonlyMap<string, TargetFacts>): DashboardOf {
  return (target) => facts.get(target)?.dashboardUrl;
}

/** The completion kind every system answers: any configured target's name. */
export const anyTargetKind = 'targets';

/**
 * The system modules over one validated `targets:` block: what the health runner, the action registry,
 * chat autocompletion and start-up fold over.
 */
export class SystemRegistry {
  private readonly services: SystemServices;

  /** `provided`: what the bot itself offers the systems (the restore-test log of the audit database). */
  constructor(
    readonly modules: readonly AnySystemModule[],
    private readonly targets: TargetsConfig,
    private readonly provided: Partial<SystemServices> = {},
  ) {
    this.services = this.collectServices();
  }

  /** One probe per configured target, in list order and config order; built once and reused by every run. */
  probes(settings: ProbeSettings = defaultProbeSettings): Probe[] {
    return this.modules.flatMap((module) => this.targetsOf(module).map((target) => module.probe(target, settings)));
  }

  /**
   * Every system's actions, registered whatever the config holds (with no targets they answer so), and for each
   * verb two or more systems offer, the action named by the verb alone that picks the system by the target.
   */
  actions(): AnyActionDefinition[] {
    const own = this.modules.flatMap((module) => module.actions?.(this.targetsOf(module), this.services) ?? []);
    const targetsOfSystem = (system: string) => this.modules.filter((module) => module.system === system).flatMap((module) => targetsOf(this.targets, module).map((target) => target.name));
    return [...own, ...sharedVerbActions(own, targetsOfSystem)];
  }

  /** The log sources of every system that has workload logs (Docker containers, Kubernetes pods). */
  logSources(): LogSource[] {
    return this.modules.flatMap((module) => module.logSource?.(this.targetsOf(module)) ?? []);
  }

  /** The names offered for a command argument's `complete:` kind: `targets` for any target, else the kind's own system. */
  completions(kind: string): string[] {
    if (kind === anyTargetKind) return this.modules.flatMap((module) => targetsOf(this.targets, module).map((target) => target.name));
    return this.modules.flatMap((module) => module.completions?.[kind]?.(this.targetsOf(module)) ?? []);
  }

  /** Every configured target's system, `labels:` and `dashboard_url:`, by target name: what alert matchers and link buttons read. */
  targetFacts(): Map<string, TargetFacts> {
    const facts = new Map<string, TargetFacts>();
    for (const module of this.modules) {
      for (const target of targetsOf(this.targets, module) as (TargetCommon & { name: string })[]) {
        facts.set(target.name, { system: module.system, labels: target.labels ?? {}, ...(target.dashboard_url ? { dashboardUrl: target.dashboard_url } : {}) });
      }
    }
    return facts;
  }

  /** The completion kinds some system answers, besides `targets`. */
  completionKinds(): string[] {
    return [...new Set(this.modules.flatMap((module) => Object.keys(module.completions ?? {})))];
  }

  /** Runs every system's start-up work; a failure is logged, never thrown. */
  async startup(logger: Logger): Promise<void> {
    await Promise.all(
      this.modules.map((module) =>
        module.startup?.(this.targetsOf(module), logger).catch((error: unknown) => logger.warn({ err: error, system: module.system }, 'start-up work of a system failed')),
      ),
    );
  }

  /** The newest restore test over every system that keeps them. */
  async lastRestoreTest(): Promise<LastRestoreTest | undefined> {
    const tests = await Promise.all(this.modules.map((module) => module.lastRestoreTest?.(this.targetsOf(module))));
    return tests.filter((test): test is LastRestoreTest => test !== undefined).sort((a, b) => b.at.getTime() - a.at.getTime())[0];
  }

  /** The repeated background work of every system that has some and whose targets ask for it. */
  housekeeping(): { system: string; intervalMs: number; run(logger: Logger): Promise<string[]> }[] {
    return this.modules.flatMap((module) => {
      const work = module.housekeeping;
      const intervalMs = work?.intervalMs(this.targetsOf(module));
      return work && intervalMs !== undefined ? [{ system: module.system, intervalMs, run: (logger: Logger) => work.run(this.targetsOf(module), logger) }] : [];
    });
  }

  /** The newest backup and restore tests of every target of every system that keeps them. */
  async backupFacts(): Promise<BackupFacts[]> {
    const all = await Promise.all(this.modules.map((module) => module.backupFacts?.(this.targetsOf(module)).catch(() => []) ?? []));
    return all.flat();
  }

  /** The last restore times per target over every system that keeps them. */
  async restoreTimes(): Promise<RestoreTimes[]> {
    const all = await Promise.all(this.modules.map((module) => module.restoreTimes?.(this.targetsOf(module)).catch(() => []) ?? []));
    return all.flat();
  }

  /** A module's targets, typed for its own functions (the config was validated against the same module). */
  private targetsOf(module: AnySystemModule): never[] {
    return targetsOf(this.targets, module) as never[];
  }

  private collectServices(): SystemServices {
    const merged: SystemServices = { containers: () => undefined, containerTargets: () => [], restoreTestLog: () => undefined, ...this.provided };
    for (const module of this.modules) Object.assign(merged, module.services?.(this.targetsOf(module)) ?? {});
    return merged;
  }
}
