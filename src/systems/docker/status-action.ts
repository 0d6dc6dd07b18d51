import { z } from 'zod';
import type { ActionDefinition } from '../../core/action.js';
import { didYouMean } from '../../core/did-you-mean.js';
import { UserError } from '../../core/errors.js';
import { resolveDockerTarget, type DockerEngineFactory } from './actions.js';
import { DockerActions, type ContainerState } from './container-actions.js';
import { connectDockerEngine } from './engine.js';
import { dockerActionPolicy, type DockerTarget } from './probe.js';

const inputs = z.object({
  target: z.preprocess((value) => (value === '' || value === null ? undefined : value), z.string().min(1).optional()),
  container: z.string().min(1, 'name a container'),
});

/** Inputs of `docker.status`. */
export type ContainerStatusInput = z.output<typeof inputs>;

/** True when the container runs and its health check (if it has one) passes. */
export function isHealthy(state: ContainerState): boolean {
  return state.status === 'running' && (state.health === undefined || state.health.status === 'healthy');
}

/**
 * `docker.status`: the state of one container, read-only, whether or not config allows actions on it: running,
 * healthy (running, and its health check passes if it has one), state, health, restarts and exit code.
 */
export function dockerStatusAction(targets: readonly DockerTarget[], connect: DockerEngineFactory = (target) => connectDockerEngine(target.socket)): ActionDefinition<ContainerStatusInput> {
  const read = async (input: ContainerStatusInput, signal: AbortSignal): Promise<{ target: DockerTarget; state: ContainerState }> => {
    const target = resolveDockerTarget(targets, input.target);
    const docker = new DockerActions(connect(target), dockerActionPolicy(target));
    const containers = await docker.list(signal);
    const container = containers.find((candidate) => candidate.name === input.container);
    if (!container) {
      const names = containers.map((candidate) => candidate.name);
      throw new UserError(`No container named ${JSON.stringify(input.container.slice(0, 64))} on Docker target ${target.name}.${didYouMean(input.container, names)}`);
    }
    return { target, state: await docker.inspect(container, signal) };
  };
  return {
    name: 'docker.status',
    destructive: false,
    inputs,
    outputs: {
      running: { type: 'boolean', description: 'the container is running' },
      healthy: { type: 'boolean', description: 'running, and its health check passes (or it has none)' },
      ok: { type: 'boolean', description: 'the same as healthy, for wait.until' },
      status: { type: 'string', description: 'created, running, paused, restarting, exited or dead' },
      health: { type: 'string', description: 'healthy, unhealthy, starting, or none without a health check' },
      restarts: { type: 'number', description: 'how often the engine restarted it' },
      exitCode: { type: 'number', description: 'the exit code of its last run' },
      startedAt: { type: 'string', description: 'when it last started (ISO; null when never)' },
    },
    async plan(input, context) {
      const { target, state } = await read(input, context.signal);
      return { summary: `read the state of container ${state.name} on Docker target ${target.name}`, detail: [`now: ${describe(state)}`] };
    },
    async run(input, context) {
      const { state } = await read(input, context.signal);
      const healthy = isHealthy(state);
      return {
        summary: `${state.name}: ${describe(state)}`,
        output: {
          running: state.status === 'running',
          healthy,
          ok: healthy,
          status: state.status,
          health: state.health?.status ?? 'none',
          restarts: state.restartCount,
          exitCode: state.exitCode,
          startedAt: state.startedAt?.toISOString() ?? null,
        },
      };
    },
  };
}

function describe(state: ContainerState): string {
  const health = state.health ? `, ${state.health.status}` : '';
  const exit = state.status === 'exited' ? ` (exit code ${state.exitCode})` : '';
  return `${state.status}${exit}${health}, ${state.restartCount} restart${state.restartCount === 1 ? '' : 's'}`;
}
