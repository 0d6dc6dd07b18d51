import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerContainerAction, dockerContainerActions } from '../../src/systems/docker/actions.js';
import { shippedSystems } from '../../src/systems/index.js';
import { SystemRegistry } from '../../src/systems/registry.js';
import { targetsSchema } from '../../src/config/targets.js';
import { UserError } from '../../src/core/errors.js';
import { dockerTargetSchema, type DockerTarget } from '../../src/systems/docker/probe.js';
import { dockerClient, removeTestContainers, startTestContainer, testImage } from '../support/docker.js';
import { actionContext as context } from '../support/action-context.js';

const prefix = `maintbot-test-actions-${randomBytes(3).toString('hex')}-`;
const allowed = `${prefix}api`;
const labelled = `${prefix}worker`;
const other = `${prefix}other`;
const socket = process.env.DOCKER_SOCKET ?? '/var/run/docker.sock';

function dockerTarget(overrides: Record<string, unknown> = {}): DockerTarget {
  return dockerTargetSchema.parse({
    name: 'local-docker',
    socket,
    containers: [allowed],
    container_labels: [`maintbot.test=${prefix}`],
    allow_actions: ['restart', 'stop', 'start'],
    ...overrides,
  });
}


async function state(name: string): Promise<{ status: string; startedAt: string; id: string }> {
  const details = await dockerClient().getContainer(name).inspect();
  return { status: details.State.Status, startedAt: details.State.StartedAt, id: details.Id };
}

beforeAll(async () => {
  await removeTestContainers(prefix);
  await Promise.all([
    startTestContainer({ name: allowed }),
    startTestContainer({ name: labelled, labels: { 'maintbot.test': prefix } }),
    startTestContainer({ name: other }),
  ]);
});

afterAll(async () => {
  await removeTestContainers(prefix);
});

describe('docker.restart, docker.stop and docker.start', () => {
  const targets = [dockerTarget()];

  it('plans a restart of an allowed container with its image, state and start time, then restarts it', async () => {
    const restart = dockerContainerAction('restart', targets);
    const input = restart.inputs.parse({ container: allowed });
    const before = await state(allowed);

    const plan = await restart.plan(input, context());
    expect(restart.destructive).toBe(true);
    expect(plan.summary).toMatch(new RegExp(`^restart container ${allowed} \\(running for [\\d.]+ s\\) on Docker target local-docker$`));
    expect(plan.detail).toEqual([
      `command: docker restart ${allowed} (id ${before.id.slice(0, 12)})`,
      `image: ${testImage}`,
      'state: running, 0 restarts',
      `started at: ${new Date(before.startedAt).toISOString()}`,
    ]);
    expect(plan.lockKey).toBe(`docker:local-docker/${allowed}`);

    const outcome = await restart.run(input, context(plan));
    const after = await state(allowed);
    expect(after.status).toBe('running');
    expect(after.startedAt).not.toBe(before.startedAt);
    expect(outcome.summary).toBe(`restarted ${allowed}`);
    expect(outcome.output).toMatchObject({
      changed: true,
      status: 'running',
      startedAtBefore: new Date(before.startedAt).toISOString(),
      startedAtAfter: new Date(after.startedAt).toISOString(),
    });
  });

  it('stops and starts a container allowed by label', async () => {
    const [, stop, start] = dockerContainerActions(targets);
    const input = { container: labelled };
    const stopped = await stop!.run(input, context(await stop!.plan(input, context())));
    expect(stopped.output).toMatchObject({ changed: true, status: 'exited' });
    expect((await state(labelled)).status).toBe('exited');

    const startPlan = await start!.plan(input, context());
    expect(startPlan.summary).toBe(`start container ${labelled} (exited) on Docker target local-docker`);
    const started = await start!.run(input, context(startPlan));
    expect(started.output).toMatchObject({ changed: true, status: 'running' });
    expect((await state(labelled)).status).toBe('running');
  });

  it('refuses at plan time a container that config does not allow, and leaves it running', async () => {
    const restart = dockerContainerAction('restart', targets);
    const before = await state(other);
    const refused = await restart.plan({ container: other }, context()).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(UserError);
    expect((refused as UserError).message).toBe(
      `Container "${other}" is not in the allow-list of Docker target local-docker. Allowed containers: ${allowed}, ${labelled} and any container labelled maintbot.test=${prefix}.`,
    );
    await expect(restart.run({ container: other }, context())).rejects.toBeInstanceOf(UserError);
    expect(await state(other)).toEqual(before);
  });

  it('refuses an action that allow_actions does not list, and an unknown target', async () => {
    const stop = dockerContainerAction('stop', [dockerTarget({ allow_actions: ['restart'] })]);
    await expect(stop.plan({ container: allowed }, context())).rejects.toThrow(
      'stop is not allowed on Docker target local-docker. Allowed actions: restart.',
    );
    expect((await state(allowed)).status).toBe('running');
    await expect(stop.plan({ container: allowed, target: 'elsewhere' }, context())).rejects.toThrow(
      'No Docker target named "elsewhere". Docker targets: local-docker.',
    );
  });

  it('does nothing when the approved container was recreated under the same name', async () => {
    const name = `${prefix}recreated`;
    await startTestContainer({ name });
    const restart = dockerContainerAction('restart', [dockerTarget({ containers: [allowed, name] })]);
    const plan = await restart.plan({ container: name }, context());
    await dockerClient().getContainer(name).remove({ force: true });
    await startTestContainer({ name });
    const fresh = await state(name);

    await expect(restart.run({ container: name }, context(plan))).rejects.toThrow(/not the one that was approved/);
    expect((await state(name)).startedAt).toBe(fresh.startedAt);
  });
});

describe('the system modules\' actions', () => {
  it('offers every maintenance action over the configured targets', () => {
    const names = new SystemRegistry(shippedSystems, targetsSchema.parse({ docker: [{ name: 'local-docker', socket }] })).actions().map((action) => action.name);
    expect([...names].sort()).toEqual(
      [
        'docker.restart', 'docker.stop', 'docker.start', 'docker.logs', 'docker.status', 'http.check',
        'redis.slowlog', 'redis.memory', 'redis.flush', 'redis.bgsave',
        'postgres.vacuum', 'postgres.analyze', 'postgres.reindex', 'postgres.terminate', 'postgres.backup', 'postgres.backups', 'postgres.restore-test', 'postgres.restore-tests', 'postgres.restore',
        'postgres.index-bloat', 'postgres.reindex-bloated', 'postgres.sizes', 'postgres.vacuum-dead',
        'kubernetes.pods', 'kubernetes.events', 'kubernetes.rollout-restart', 'kubernetes.scale',
        'mysql.analyze', 'mysql.optimize', 'mysql.terminate', 'mysql.backup', 'mysql.restore-test',
        'analyze', 'terminate', 'backup', 'restore-test',
      ].sort(),
    );
  });
});
