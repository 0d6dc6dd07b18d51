import { CodedError, UserError, errorMessage } from '../../core/errors.js';
import { didYouMean } from '../../core/did-you-mean.js';
import { TargetUnreachable } from '../../core/probe.js';
import { userText } from '../../core/user-text.js';
import {
  engineConnectionErrorCode,
  engineStatusCode,
  type DockerEngine,
  type EngineContainerDetails,
  type EngineLogOptions,
  type EngineContainerSummary,
} from './engine.js';

/** The container actions that change state; each must be allowed by config. */
export const containerActions = ['restart', 'stop', 'start'] as const;
export type ContainerAction = (typeof containerActions)[number];

/** What a Docker target lets maintbot touch: containers by name or `key=value` label, and which actions. */
export interface DockerActionPolicy {
  /** The target's name in config, used in messages. */
  target: string;
  /** Where the engine listens, used in messages. */
  socket: string;
  containers: readonly string[];
  labels: readonly string[];
  allowActions: readonly ContainerAction[];
}

/** A container as the engine lists it. */
export interface ContainerRef {
  id: string;
  name: string;
  labels: Record<string, string>;
}

/** The judged-upon facts of one container. */
export interface ContainerState {
  id: string;
  name: string;
  /** The image as the container was created from, e.g. "nginx:1.25". */
  image: string;
  /** created | running | paused | restarting | removing | exited | dead */
  status: string;
  exitCode: number;
  /** Absent when the container has no health check. */
  health?: { status: string; failingStreak: number; lastOutput?: string };
  restartCount: number;
  /** True when the container has a TTY: its output is one raw stream, not stdout and stderr frames. */
  tty: boolean;
  startedAt?: Date;
  finishedAt?: Date;
}

/** What a restart, stop or start did: the state before and after. */
export interface ContainerActionResult {
  action: ContainerAction;
  container: string;
  before: ContainerState;
  after: ContainerState;
  /** False when the container already was in the asked-for state and nothing was sent to the engine. */
  changed: boolean;
}

/** Options for a state-changing call. */
export interface ContainerActionOptions {
  signal?: AbortSignal;
  /** Seconds the engine waits after SIGTERM before SIGKILL; the engine's default when absent. */
  graceSeconds?: number;
}

const configHint = 'Config: targets.docker[] keys containers, labels and allow_actions.';

/** A `key=value` label selector split in two; undefined when it has no `=`. */
export function parseLabelSelector(selector: string): { key: string; value: string } | undefined {
  const at = selector.indexOf('=');
  if (at <= 0) return undefined;
  return { key: selector.slice(0, at), value: selector.slice(at + 1) };
}

/** True when the container carries the label `key=value`. */
export function hasLabel(container: ContainerRef, selector: string): boolean {
  const parsed = parseLabelSelector(selector);
  return parsed !== undefined && container.labels[parsed.key] === parsed.value;
}

/**
 * Finds, inspects and (when config allows) restarts, stops or starts containers of one Docker target.
 * Names from users are only compared with the engine's own list; calls use the engine's ids.
 */
export class DockerActions {
  constructor(
    private readonly engine: DockerEngine,
    readonly policy: DockerActionPolicy,
  ) {}

  /** Every container on the engine, running or not, sorted by name. */
  async list(signal?: AbortSignal): Promise<ContainerRef[]> {
    const summaries = await this.call('list containers', () =>
      this.engine.listContainers(withSignal({ all: true }, signal)),
    );
    return summaries.map(toContainerRef).sort((a, b) => a.name.localeCompare(b.name));
  }

  /** The container with exactly this name, if any. */
  async findByName(name: string, signal?: AbortSignal): Promise<ContainerRef | undefined> {
    return (await this.list(signal)).find((container) => container.name === name);
  }

  /** The containers labelled `key=value`. */
  async findByLabel(selector: string, signal?: AbortSignal): Promise<ContainerRef[]> {
    return (await this.list(signal)).filter((container) => hasLabel(container, selector));
  }

  /** State, health, restarts, start time and image of one listed container. */
  async inspect(container: ContainerRef, signal?: AbortSignal): Promise<ContainerState> {
    const details = await this.call(`inspect ${container.name}`, () =>
      this.engine.getContainer(container.id).inspect(withSignal({}, signal)),
    );
    return toContainerState(details);
  }

  /** True when config lists the container by name or by one of its labels. */
  isAllowed(container: ContainerRef): boolean {
    return (
      this.policy.containers.includes(container.name) ||
      this.policy.labels.some((selector) => hasLabel(container, selector))
    );
  }

  /** Names that config allows actions on: the configured names plus existing containers matched by label. */
  async allowedContainerNames(signal?: AbortSignal): Promise<string[]> {
    return this.allowedNamesAmong(await this.list(signal));
  }

  /** Restarts an allowed container; its start time changes. */
  restart(name: string, options: ContainerActionOptions = {}): Promise<ContainerActionResult> {
    return this.act('restart', name, options);
  }

  /** Stops an allowed container; does nothing if it is not running. */
  stop(name: string, options: ContainerActionOptions = {}): Promise<ContainerActionResult> {
    return this.act('stop', name, options);
  }

  /** Starts an allowed container; does nothing if it is already running. */
  start(name: string, options: ContainerActionOptions = {}): Promise<ContainerActionResult> {
    return this.act('start', name, options);
  }

  /**
   * Checks that config allows `action` on the container named `name` and returns it with its current state,
   * without changing anything: the plan an approval card shows. Throws a `UserError` naming what is allowed.
   */
  async authorize(
    action: ContainerAction,
    name: string,
    signal?: AbortSignal,
  ): Promise<{ container: ContainerRef; state: ContainerState }> {
    const containers = await this.list(signal);
    const container = containers.find((candidate) => candidate.name === name);
    const allowedNames = () => this.describeAllowed(containers);

    if (!this.policy.allowActions.includes(action)) {
      const allowed = this.policy.allowActions.length > 0 ? this.policy.allowActions.join(', ') : 'none';
      throw new UserError(
        `${action} is not allowed on Docker target ${this.policy.target}. Allowed actions: ${allowed}.`,
        configHint,
      );
    }
    if (container === undefined) {
      throw new UserError(
        `No container named ${quoted(name)} on Docker target ${this.policy.target}. ${allowedNames()}${didYouMean(name, this.allowedNamesAmong(containers))}`,
        configHint,
      );
    }
    if (!this.isAllowed(container)) {
      throw new UserError(
        `Container ${quoted(name)} is not in the allow-list of Docker target ${this.policy.target}. ${allowedNames()}`,
        configHint,
      );
    }
    return { container, state: await this.inspect(container, signal) };
  }

  /**
   * The container named `name` with its state, when config lets maintbot read its logs: any container when
   * the target names neither containers nor labels (it watches them all), else only those it names.
   */
  async authorizeRead(name: string, signal?: AbortSignal): Promise<{ container: ContainerRef; state: ContainerState }> {
    const containers = await this.list(signal);
    const container = containers.find((candidate) => candidate.name === name);
    const watchesAll = this.policy.containers.length === 0 && this.policy.labels.length === 0;
    const readable = watchesAll ? containers.map((candidate) => candidate.name) : this.allowedNamesAmong(containers);
    if (container === undefined) {
      const known = readable.length > 0 ? `Containers: ${readable.slice(0, 20).join(', ')}${readable.length > 20 ? ', …' : ''}.` : 'It has no container.';
      throw new UserError(`No container named ${quoted(name)} on Docker target ${this.policy.target}. ${known}${didYouMean(name, readable)}`, configHint);
    }
    if (!watchesAll && !this.isAllowed(container)) {
      throw new UserError(`Container ${quoted(name)} is not one that Docker target ${this.policy.target} names, so its logs are not shown. ${this.describeAllowed(containers)}`, configHint);
    }
    return { container, state: await this.inspect(container, signal) };
  }

  /** What the container wrote so far, as the engine sends it (see `EngineLogOptions`). */
  logs(container: ContainerRef, options: Omit<EngineLogOptions, 'follow'>, signal?: AbortSignal): Promise<Buffer> {
    return this.call(`read the logs of ${container.name}`, () => this.engine.getContainer(container.id).logs(withSignal({ ...options, follow: false as const }, signal)));
  }

  private async act(action: ContainerAction, name: string, options: ContainerActionOptions): Promise<ContainerActionResult> {
    const { signal } = options;
    const { container, state: before } = await this.authorize(action, name, signal);
    if (alreadyThere(action, before)) return { action, container: container.name, before, after: before, changed: false };

    const handle = this.engine.getContainer(container.id);
    const callOptions = withSignal(options.graceSeconds === undefined ? {} : { t: options.graceSeconds }, signal);
    try {
      await this.call(`${action} ${container.name}`, () =>
        action === 'start' ? handle.start(withSignal({}, signal)) : handle[action](callOptions),
      );
    } catch (error) {
      if (!(error instanceof CodedError && error.context.status === 304)) throw error;
    }
    const after = await this.inspect(container, signal);
    return { action, container: container.name, before, after, changed: true };
  }

  private allowedNamesAmong(containers: ContainerRef[]): string[] {
    const matched = containers.filter((container) => this.isAllowed(container)).map((container) => container.name);
    return [...new Set([...this.policy.containers, ...matched])].sort();
  }

  private describeAllowed(containers: ContainerRef[]): string {
    const names = this.allowedNamesAmong(containers);
    const byLabel = this.policy.labels.length > 0 ? ` and any container labelled ${this.policy.labels.join(' or ')}` : '';
    if (names.length === 0 && byLabel === '') return 'No container is allowed.';
    return `Allowed containers: ${names.length > 0 ? names.join(', ') : 'none by name'}${byLabel}.`;
  }

  private async call<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (isAbort(error)) throw error;
      const connectionCode = engineConnectionErrorCode(error);
      if (connectionCode !== undefined) {
        throw new TargetUnreachable(`Docker engine not reachable at ${this.policy.socket} (${connectionCode})`, {
          cause: error,
        });
      }
      throw new CodedError(
        'DOCKER_ENGINE_FAILED',
        `Docker engine refused to ${what}: ${errorMessage(error)}`,
        { target: this.policy.target, status: engineStatusCode(error) },
        { cause: error },
      );
    }
  }
}

/** One sentence saying what an action did, for chat. */
export function describeActionResult(result: ContainerActionResult): string {
  const { action, container, before, after } = result;
  if (!result.changed) return `${container} was already ${before.status}; nothing to ${action}.`;
  const from = before.startedAt?.toISOString() ?? 'never';
  const to = after.startedAt?.toISOString() ?? 'never';
  const past = { restart: 'restarted', stop: 'stopped', start: 'started' }[action];
  return `${container} ${past}: now ${after.status} (started at ${to}, before ${from}).`;
}

function alreadyThere(action: ContainerAction, state: ContainerState): boolean {
  if (action === 'start') return state.status === 'running';
  if (action === 'stop') return state.status !== 'running' && state.status !== 'restarting' && state.status !== 'paused';
  return false;
}

function toContainerRef(summary: EngineContainerSummary): ContainerRef {
  const name = (summary.Names[0] ?? summary.Id.slice(0, 12)).replace(/^\//, '');
  return { id: summary.Id, name, labels: summary.Labels ?? {} };
}

function toContainerState(details: EngineContainerDetails): ContainerState {
  const health = details.State.Health;
  const lastCheck = health?.Log?.at(-1);
  return {
    id: details.Id,
    name: details.Name.replace(/^\//, ''),
    image: details.Config.Image,
    status: details.State.Status,
    exitCode: details.State.ExitCode,
    ...(health && health.Status !== 'none'
      ? {
          health: {
            status: health.Status,
            failingStreak: health.FailingStreak,
            ...(lastCheck ? { lastOutput: lastCheck.Output.trim() } : {}),
          },
        }
      : {}),
    restartCount: details.RestartCount,
    tty: details.Config.Tty === true,
    ...optionalDate('startedAt', details.State.StartedAt),
    ...optionalDate('finishedAt', details.State.FinishedAt),
  };
}

function optionalDate<K extends string>(key: K, value: string): Partial<Record<K, Date>> {
  const date = new Date(value);
  return Number.isNaN(date.getTime()) || date.getUTCFullYear() < 1971 ? {} : ({ [key]: date } as Record<K, Date>);
}

function withSignal<T extends object>(options: T, signal: AbortSignal | undefined): T & { abortSignal?: AbortSignal } {
  return signal ? { ...options, abortSignal: signal } : options;
}

function isAbort(error: unknown): boolean {
  return error instanceof Error && (error.name === 'AbortError' || (error as { code?: unknown }).code === 'ABORT_ERR');
}

function quoted(text: string): string {
  return `"${userText(text)}"`;
}
