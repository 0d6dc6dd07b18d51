import { z } from 'zod';
import { UserError } from '../../core/errors.js';
import { pickTarget } from '../../core/pick-target.js';
import { notice } from '../../core/report.js';
import type { ActionContext, ActionDefinition, StepPlan } from '../../core/action.js';
import { dockerActionPolicy, type DockerTarget } from './probe.js';
import { DockerActions, describeActionResult, type ContainerAction, type ContainerState } from './container-actions.js';
import { connectDockerEngine, type DockerEngine } from './engine.js';
import { formatSeconds } from '../../render/units.js';

const inputs = z.object({
  target: z.preprocess((value) => (value === '' || value === null ? undefined : value), z.string().min(1).optional()),
  container: z.string().min(1, 'name a container'),
});

/** Inputs of `docker.restart`, `docker.stop` and `docker.start`. */
export type ContainerActionInput = z.output<typeof inputs>;

const planData = z.object({ id: z.string(), name: z.string(), startedAt: z.string().nullable() });

/** Makes the engine client of a Docker target; tests may hand in their own. */
export type DockerEngineFactory = (target: DockerTarget) => DockerEngine;

const pastTense: Record<ContainerAction, string> = { restart: 'restarted', stop: 'stopped', start: 'started' };

/**
 * `docker.<action>` over the configured Docker targets: the plan checks config allows it (allow_actions,
 * containers, labels) and shows the container's image, state and start time; `run` acts on exactly the
 * planned container and reports how its start time changed.
 */
export function dockerContainerAction(
  action: ContainerAction,
  targets: readonly DockerTarget[],
  connect: DockerEngineFactory = (target) => connectDockerEngine(target.socket),
): ActionDefinition<ContainerActionInput> {
  const clients = new Map<string, DockerActions>();
  const actionsFor = (input: ContainerActionInput): DockerActions => {
    const target = resolveDockerTarget(targets, input.target);
    let client = clients.get(target.name);
    if (!client) {
      client = new DockerActions(connect(target), dockerActionPolicy(target));
      clients.set(target.name, client);
    }
    return client;
  };

  return {
    name: `docker.${action}`,
    destructive: true,
    inputs,
    outputs: {
      container: { type: 'string', description: 'the container' },
      changed: { type: 'boolean', description: 'false when it already was in the asked-for state' },
      status: { type: 'string', description: 'its state after, e.g. running or exited' },
      startedAtBefore: { type: 'string', description: 'its start time before (ISO, null when never started)' },
      startedAtAfter: { type: 'string', description: 'its start time after' },
    },
    async plan(input, context): Promise<StepPlan> {
      const docker = actionsFor(input);
      const { container, state } = await docker.authorize(action, input.container, context.signal);
      const where = `on Docker target ${docker.policy.target}`;
      return {
        summary: `${action} container ${container.name} (${describeRunning(state)}) ${where}`,
        detail: [
          `command: docker ${action} ${container.name} (id ${container.id.slice(0, 12)})`,
          `image: ${state.image}`,
          `state: ${state.status}${state.health ? `, health ${state.health.status}` : ''}, ${state.restartCount} restarts`,
          `started at: ${state.startedAt?.toISOString() ?? 'never'}`,
        ],
        lockKey: `docker:${docker.policy.target}/${container.name}`,
        data: { id: container.id, name: container.name, startedAt: state.startedAt?.toISOString() ?? null },
      };
    },
    async run(input, context) {
      const docker = actionsFor(input);
      await checkStillPlanned(docker, action, input, context);
      await context.progress(`${action} ${input.container}…`);
      const result = await docker[action](input.container, { signal: context.signal });
      const sentence = describeActionResult(result);
      return {
        summary: result.changed ? `${pastTense[action]} ${result.container}` : `${result.container} was already ${result.before.status}`,
        message: notice('info', sentence),
        output: {
          container: result.container,
          changed: result.changed,
          status: result.after.status,
          startedAtBefore: result.before.startedAt?.toISOString() ?? null,
          startedAtAfter: result.after.startedAt?.toISOString() ?? null,
        },
      };
    },
  };
}

/** `docker.restart`, `docker.stop` and `docker.start` over the configured Docker targets. */
export function dockerContainerActions(targets: readonly DockerTarget[], connect?: DockerEngineFactory): ActionDefinition<ContainerActionInput>[] {
  return (['restart', 'stop', 'start'] as const).map((action) => dockerContainerAction(action, targets, connect));
}

/** The Docker target named `name`, or the only one; a `UserError` naming the configured ones otherwise. */
export function resolveDockerTarget(targets: readonly DockerTarget[], name: string | undefined): DockerTarget {
  return pickTarget(targets, name, { system: 'Docker', configKey: 'targets.docker[]' });
}

async function checkStillPlanned(docker: DockerActions, action: ContainerAction, input: ContainerActionInput, context: ActionContext): Promise<void> {
  if (!context.approvedPlan) return;
  const planned = planData.safeParse(context.approvedPlan.data);
  const { container } = await docker.authorize(action, input.container, context.signal);
  if (!planned.success || planned.data.name !== container.name || planned.data.id !== container.id) {
    throw new UserError(
      `Container ${input.container} on Docker target ${docker.policy.target} is not the one that was approved (it was recreated since); nothing was done. Ask again to see a fresh plan.`,
    );
  }
}

function describeRunning(state: ContainerState): string {
  if (state.status !== 'running' || !state.startedAt) return state.status;
  return `running for ${formatSeconds((Date.now() - state.startedAt.getTime()) / 1000)}`;
}
