import { closest } from 'fastest-levenshtein';
import { z } from 'zod';
import type { ProbeFinding } from '../../core/finding.js';
import { worstStatus, type LineStatus } from '../../core/status.js';
import {
  DockerActions,
  containerActions,
  parseLabelSelector,
  type ContainerRef,
  type ContainerState,
  type DockerActionPolicy,
} from './container-actions.js';
import { connectDockerEngine, defaultDockerSocket, type DockerEngine } from './engine.js';
import type { Probe } from '../../core/probe.js';
import { targetNameSchema } from '../../core/target-name.js';
import { formatSeconds } from '../../render/units.js';
import { targetCommonFields, targetLabelsSchema } from '../../core/target-fields.js';

const labelSelector = z
  .string()
  .refine((selector) => parseLabelSelector(selector) !== undefined, { message: 'expected a label as "key=value"' });

/** One entry of `targets.docker` in the config: which containers to check, and which actions are allowed on them. */
export const dockerTargetSchema = z
  .object({
    name: targetNameSchema,
    socket: z.string().min(1).default(defaultDockerSocket),
    /** Containers by exact name. With neither containers nor labels, every container is checked. */
    containers: z.array(z.string().min(1)).default([]),
    /** Containers by label, each "key=value". */
    container_labels: z.array(labelSelector).default([]),
    /** Destructive actions allowed on the listed containers; none by default. */
    allow_actions: z.array(z.enum(containerActions)).default([]),
    optional: z.boolean().default(false),
    ...targetCommonFields,
    labels: targetLabelsSchema('container selectors ("key=value") go under container_labels; labels is a map of target labels, e.g. {team: payments}'),
    thresholds: z
      .object({
        restarts_warn: z.number().int().nonnegative().default(3),
        restarts_crit: z.number().int().nonnegative().default(10),
      })
      .strict()
      .refine((t) => t.restarts_warn <= t.restarts_crit, { message: 'restarts_warn must not exceed restarts_crit' })
      .default({ restarts_warn: 3, restarts_crit: 10 }),
  })
  .strict();

/** A validated Docker target, defaults filled in. */
export type DockerTarget = z.infer<typeof dockerTargetSchema>;

/** The action policy a Docker target's config grants. */
export function dockerActionPolicy(target: DockerTarget): DockerActionPolicy {
  return {
    target: target.name,
    socket: target.socket,
    containers: target.containers,
    labels: target.container_labels,
    allowActions: target.allow_actions,
  };
}

/** Checks every configured container of a Docker target: state, health, restarts, uptime and image. */
export function createDockerProbe(target: DockerTarget, engine: DockerEngine = connectDockerEngine(target.socket)): Probe {
  const actions = new DockerActions(engine, dockerActionPolicy(target));
  return {
    target: target.name,
    system: 'docker',
    optional: target.optional,
    async run(signal) {
      signal.throwIfAborted();
      const existing = await actions.list(signal);
      const { found, missingLines } = selectContainers(target, existing);
      const states = await Promise.all(found.map((container) => actions.inspect(container, signal)));
      signal.throwIfAborted();
      return [...states.map((state) => judgeContainer(state, target.thresholds, new Date())), ...missingLines];
    },
  };
}

function selectContainers(
  target: DockerTarget,
  existing: ContainerRef[],
): { found: ContainerRef[]; missingLines: ProbeFinding[] } {
  if (target.containers.length === 0 && target.container_labels.length === 0) return { found: existing, missingLines: [] };
  const found = new Map<string, ContainerRef>();
  const missingLines: ProbeFinding[] = [];
  const names = existing.map((container) => container.name);

  for (const name of target.containers) {
    const container = existing.find((candidate) => candidate.name === name);
    if (container) found.set(container.id, container);
    else missingLines.push(missingContainerLine(name, names));
  }
  for (const selector of target.container_labels) {
    const { key, value } = parseLabelSelector(selector)!;
    const matching = existing.filter((container) => container.labels[key] === value);
    for (const container of matching) found.set(container.id, container);
    if (matching.length === 0) missingLines.push(missingLabelLine(selector));
  }
  return { found: [...found.values()], missingLines };
}

const listedNamesLimit = 20;

function missingContainerLine(name: string, existingNames: string[]): ProbeFinding {
  const listed = existingNames.slice(0, listedNamesLimit).join(', ');
  const more = existingNames.length > listedNamesLimit ? ` and ${existingNames.length - listedNamesLimit} more` : '';
  const suggestion = existingNames.length > 0 ? ` Did you mean ${closest(name, existingNames)}?` : '';
  return {
    checkId: 'docker.container',
    subject: name,
    status: 'warn',
    label: name,
    text: 'no such container',
    threshold: 'warn when a configured container does not exist',
    note:
      existingNames.length > 0
        ? `Existing containers: ${listed}${more}.${suggestion} Fix the name in config or recreate the container.`
        : 'The engine has no containers at all. Fix the name in config or recreate the container.',
  };
}

function missingLabelLine(selector: string): ProbeFinding {
  return {
    checkId: 'docker.label',
    subject: selector,
    status: 'warn',
    label: `label ${selector}`,
    text: 'no container has this label',
    threshold: 'warn when a configured label matches nothing',
    note: 'Check the label in config or on the containers.',
  };
}

interface Verdict {
  status: LineStatus;
  why?: string;
}

/** One finding for one container: the worst of its state, health and restart count, with each figure in `detail`. */
export function judgeContainer(
  state: ContainerState,
  thresholds: DockerTarget['thresholds'],
  now: Date,
): ProbeFinding {
  const verdicts = [judgeState(state), judgeHealth(state), judgeRestarts(state, thresholds)];
  const problems = verdicts.filter((verdict) => verdict.status !== 'ok' && verdict.why !== undefined);
  const uptime = runningFor(state, now);

  const text = [
    uptime ? `${state.status} ${uptime}` : state.status,
    state.health ? state.health.status : undefined,
    `${state.restartCount} ${state.restartCount === 1 ? 'restart' : 'restarts'}`,
    state.image,
  ]
    .filter((part) => part !== undefined)
    .join(' · ');

  return {
    checkId: 'docker.container',
    subject: state.name,
    status: worstStatus(verdicts.map((verdict) => verdict.status)),
    measure: { value: state.restartCount, unit: 'count' },
    label: state.name,
    text,
    threshold: `crit if exited, dead or unhealthy; warn if restarting, paused or health starting; restarts warn at ${thresholds.restarts_warn}, crit at ${thresholds.restarts_crit}`,
    ...(problems.length > 0 ? { note: problems.map((problem) => problem.why).join('; ') } : {}),
    detail: [
      `state: ${state.status}${describeSince(state, now)}`,
      `health: ${state.health ? `${state.health.status}${state.health.failingStreak > 0 ? ` (${state.health.failingStreak} failed checks in a row)` : ''}` : 'no health check'}`,
      `restarts: ${state.restartCount} (warn at ${thresholds.restarts_warn}, crit at ${thresholds.restarts_crit})`,
      `image: ${state.image}`,
    ],
  };
}

function judgeState(state: ContainerState): Verdict {
  switch (state.status) {
    case 'running':
      return { status: 'ok' };
    case 'restarting':
      return { status: 'warn', why: 'restarting: its main process keeps exiting; read its logs' };
    case 'paused':
      return { status: 'warn', why: 'paused: its processes are frozen; unpause it' };
    case 'exited':
      return {
        status: 'crit',
        why: `exited with code ${state.exitCode}${state.finishedAt ? ` at ${state.finishedAt.toISOString()}` : ''}; start it or read its logs`,
      };
    case 'dead':
      return { status: 'crit', why: 'dead: the engine could not stop or remove it; remove and recreate it' };
    case 'created':
      return { status: 'crit', why: 'created but never started; start it' };
    default:
      return { status: 'warn', why: `${state.status}: not running` };
  }
}

function judgeHealth(state: ContainerState): Verdict {
  const health = state.health;
  if (!health || health.status === 'healthy') return { status: 'ok' };
  if (health.status === 'starting') return { status: 'warn', why: 'health check has not passed yet' };
  const output = health.lastOutput ? `: ${oneLine(health.lastOutput, 80)}` : '';
  return {
    status: health.status === 'unhealthy' ? 'crit' : 'warn',
    why: `${health.status}: health check failed ${health.failingStreak} times in a row${output}`,
  };
}

function judgeRestarts(state: ContainerState, thresholds: DockerTarget['thresholds']): Verdict {
  const count = state.restartCount;
  if (count >= thresholds.restarts_crit) {
    return { status: 'crit', why: `${count} restarts (crit at ${thresholds.restarts_crit}): it is crash-looping` };
  }
  if (count >= thresholds.restarts_warn) {
    return { status: 'warn', why: `${count} restarts (warn at ${thresholds.restarts_warn}): it has crashed repeatedly` };
  }
  return { status: 'ok' };
}

function describeSince(state: ContainerState, now: Date): string {
  const uptime = runningFor(state, now);
  if (uptime && state.startedAt) return ` for ${uptime} (since ${state.startedAt.toISOString()})`;
  if (state.finishedAt) return ` since ${state.finishedAt.toISOString()}`;
  return '';
}

function runningFor(state: ContainerState, now: Date): string | undefined {
  if (state.status !== 'running' || !state.startedAt) return undefined;
  return formatSeconds((now.getTime() - state.startedAt.getTime()) / 1000);
}

function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
