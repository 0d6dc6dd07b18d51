import type { Logger } from 'pino';
import type { z } from 'zod';
import type { Invocation } from './invocation.js';
import type { Message } from './report.js';

/** What an action may use while it runs. */
export interface ActionContext {
  invocation: Invocation;
  logger: Logger;
  signal: AbortSignal;
  /** Shows a progress line on the runbook's message in chat. */
  progress(text: string): Promise<void>;
  /**
   * For a destructive step that was approved: the plan the approvers saw. `run` must act on exactly
   * what it lists (e.g. the planned pids), never on a fresh look-up.
   */
  approvedPlan?: StepPlan;
}

/** What a step produced: a message for chat, and named outputs later steps may refer to. */
export interface StepOutcome {
  /** Shown to the user; the last step's message becomes the runbook's answer. */
  message?: Message;
  /** One line for the runbook's summary, e.g. "vacuumed public.orders in 1.2 s". */
  summary?: string;
  output?: Record<string, unknown>;
  /**
   * Set when the step ran to its end but what it checks did not pass (a restore test that failed): a safe
   * sentence. The step and the run then end as failed, and `message` is still the run's answer.
   */
  failure?: string;
}

/** The exact plan of a step, shown by `--dry-run` and on approval cards. */
export interface StepPlan {
  /** One line: what will happen, e.g. "restart container api (running since 3 days)". */
  summary: string;
  /** The exact commands or SQL, and the impact, one item per line. */
  detail: string[];
  /**
   * What the lock is taken on while the step waits and runs: `<system>:<target>`, then `/<object>` or
   * `:<purpose>` when narrower, e.g. `postgres:main-db`, `docker:apps/shop-api` (`lockKeyTarget` reads the target).
   */
  lockKey?: string;
  /** Plain data `run` needs to act on exactly what was planned (stored with an approval request). */
  data?: unknown;
}

/** The kind of value an output holds; `list` and `object` may be read further (`${steps.id.outputs.tables.0}`). */
export type OutputType = 'boolean' | 'number' | 'string' | 'list' | 'object';

/** One named output an action's `run` returns in `StepOutcome.output`. */
export interface OutputSpec {
  type: OutputType;
  /** What it holds, for docs/RUNBOOKS.md and for runbook authors. */
  description: string;
}

/**
 * A small typed executor: one thing done to one system.
 *
 * @example
 * export const pingAction: ActionDefinition<{ host: string }> = {
 *   name: 'net.ping',
 *   destructive: false,
 *   inputs: z.object({ host: z.string().min(1) }),
 *   outputs: { reachable: { type: 'boolean', description: 'the host answered' }, ms: { type: 'number', description: 'round trip' } },
 *   plan: async (input) => ({ summary: `ping ${input.host}`, detail: [] }),
 *   run: async (input) => ({ summary: `${input.host} answered`, output: { reachable: true, ms: 3 } }),
 * };
 * // a later step: `when: ${steps.ping.outputs.reachable} and ${steps.ping.outputs.ms} < 100`
 */
export interface ActionDefinition<Input = unknown> {
  /** `system.verb`, e.g. `docker.restart`. */
  name: string;
  /**
   * Destructive actions wait for approval; a runbook can make a step destructive but never the reverse.
   * A function decides per input (e.g. `VACUUM` is safe, `VACUUM FULL` is not).
   */
  destructive: boolean | ((input: Input) => boolean);
  /** Validates a step's inputs after substitution. */
  inputs: z.ZodType<Input>;
  /**
   * The outputs `run` returns, by name: the only ones a runbook may refer to (`${steps.<id>.outputs.<name>}`);
   * a reference to any other is refused when the runbooks are loaded. None when absent.
   */
  outputs?: Readonly<Record<string, OutputSpec>>;
  /**
   * Checks a step's `with:` as written, before anything runs, for what a schema of the substituted inputs
   * cannot see (e.g. `wait.until` checks the action it repeats); answers one problem per item, with the key
   * under `with:` it is about. The runbook is refused at start with `file:line` for each.
   */
  checkStep?(written: Record<string, unknown>, actions: ActionRegistry): { key?: string; message: string }[];
  /** Describes what `run` would do, without doing it. */
  plan(input: Input, context: ActionContext): Promise<StepPlan>;
  run(input: Input, context: ActionContext): Promise<StepOutcome>;
}

/** The actions runbooks may name, by name. */
export class ActionRegistry {
  private readonly actions = new Map<string, ActionDefinition<never>>();

  register<Input>(action: ActionDefinition<Input>): this {
    this.actions.set(action.name, action as unknown as ActionDefinition<never>);
    return this;
  }

  get(name: string): ActionDefinition<unknown> | undefined {
    return this.actions.get(name) as ActionDefinition<unknown> | undefined;
  }

  names(): string[] {
    return [...this.actions.keys()].sort();
  }
}

/** An action of any input type, for lists of actions to register. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyActionDefinition = ActionDefinition<any>;

/** The target a lock key names (`docker:apps/shop-api` → `apps`); undefined for a key of another shape. */
export function lockKeyTarget(lockKey: string | undefined): string | undefined {
  return /^[a-z][a-z0-9-]*:([^/:]+)/.exec(lockKey ?? '')?.[1];
}
