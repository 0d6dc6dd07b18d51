import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockerActions } from '../../src/systems/docker/container-actions.js';
import { connectDockerEngine, type DockerEngine } from '../../src/systems/docker/engine.js';
import { UserError } from '../../src/core/errors.js';
import { TargetUnreachable } from '../../src/core/probe.js';
import { createDockerProbe, dockerActionPolicy, dockerTargetSchema } from '../../src/systems/docker/probe.js';
import {
  dockerClient,
  removeTestContainers,
  requireDockerAndTestImage,
  startTestContainer,
  waitFor,
} from '../support/docker.js';

const prefix = `maintbot-test-docker-${randomBytes(3).toString('hex')}-`;
const runLabel = `maintbot.test.run=${prefix}`;
const name = {
  healthy: `${prefix}healthy`,
  stopped: `${prefix}stopped`,
  unhealthy: `${prefix}unhealthy`,
  restarting: `${prefix}restarting`,
  allowed: `${prefix}allowed`,
  denied: `${prefix}denied`,
  cycled: `${prefix}cycled`,
};

function target(config: Record<string, unknown>) {
  return dockerTargetSchema.parse({ name: 'docker-test', ...config });
}

async function probeLines(config: Record<string, unknown>, engine?: DockerEngine) {
  return createDockerProbe(target(config), engine).run(AbortSignal.timeout(5_000));
}

/** The real engine, listing only this file's containers: other suites' containers come and go in parallel. */
function engineWithOwnContainers(): DockerEngine {
  const engine = connectDockerEngine();
  return {
    listContainers: async (options) =>
      (await engine.listContainers(options)).filter((summary) => summary.Names.some((listed) => listed.replace(/^\//, '').startsWith(prefix))),
    getContainer: (id) => engine.getContainer(id),
  };
}

async function inspect(containerName: string) {
  return dockerClient().getContainer(containerName).inspect();
}

beforeAll(async () => {
  await requireDockerAndTestImage();
  const labels = { 'maintbot.test.run': prefix };
  await Promise.all([
    startTestContainer({ name: name.healthy, healthCmd: 'true', labels }),
    startTestContainer({ name: name.stopped, cmd: ['sh', '-c', 'exit 3'], labels }),
    startTestContainer({ name: name.unhealthy, healthCmd: 'echo database gone; false', labels }),
    startTestContainer({ name: name.allowed, labels: { ...labels, 'maintbot.allow': 'yes' } }),
    startTestContainer({ name: name.denied, labels }),
    startTestContainer({ name: name.cycled, labels }),
  ]);
});

afterAll(async () => {
  await removeTestContainers(prefix);
});

describe('Docker health probe against the real engine', () => {
  it('reports a running container whose health check passes as ok', async () => {
    await waitFor('healthy', async () => ((await inspect(name.healthy)).State.Health?.Status === 'healthy' ? true : undefined));

    const [line] = await probeLines({ containers: [name.healthy] });

    expect(line).toMatchObject({ status: 'ok', label: name.healthy });
    expect(line!.text).toMatch(/^running [\d.]+ s · healthy · 0 restarts · maintbot-test\/busybox:latest$/);
    expect(line!.note).toBeUndefined();
  });

  it('reports a stopped container as crit with its exit code', async () => {
    await waitFor('exit', async () => ((await inspect(name.stopped)).State.Status === 'exited' ? true : undefined));

    const [line] = await probeLines({ containers: [name.stopped] });

    expect(line).toMatchObject({ status: 'crit', label: name.stopped });
    expect(line!.text).toMatch(/^exited · 0 restarts/);
    expect(line!.note).toMatch(/exited with code 3 at .*; start it or read its logs/);
  });

  it('reports a container whose health check fails as unhealthy, with the check output', async () => {
    await waitFor('unhealthy', async () =>
      (await inspect(name.unhealthy)).State.Health?.Status === 'unhealthy' ? true : undefined,
    );

    const [line] = await probeLines({ containers: [name.unhealthy] });

    expect(line).toMatchObject({ status: 'crit', label: name.unhealthy });
    expect(line!.text).toContain('unhealthy');
    expect(line!.note).toMatch(/unhealthy: health check failed \d+ times in a row: database gone/);
  });

  it('reports a crash-looping container by its rising restart count against the threshold', async () => {
    await startTestContainer({ name: name.restarting, cmd: ['false'], restartAlways: true });
    await waitFor('two restarts', async () => ((await inspect(name.restarting)).RestartCount >= 2 ? true : undefined));

    const [first] = await probeLines({ containers: [name.restarting], thresholds: { restarts_warn: 2, restarts_crit: 1000 } });
    const firstCount = Number(/(\d+) restarts/.exec(first!.text)?.[1]);
    await waitFor('another restart', async () =>
      (await inspect(name.restarting)).RestartCount > firstCount ? true : undefined,
    );
    const [second] = await probeLines({ containers: [name.restarting], thresholds: { restarts_warn: 2, restarts_crit: 1000 } });

    expect(first).toMatchObject({ status: 'warn', label: name.restarting });
    expect(firstCount).toBeGreaterThanOrEqual(2);
    expect(first).toMatchObject({ checkId: 'docker.container', subject: name.restarting, measure: { value: firstCount, unit: 'count' } });
    expect(Number(/(\d+) restarts/.exec(second!.text)?.[1])).toBeGreaterThan(firstCount);
    expect(second!.threshold).toContain('restarts warn at 2, crit at 1000');
    expect(second!.note).toMatch(/\d+ restarts \(warn at 2\): it has crashed repeatedly/);

    const [judgedCrit] = await probeLines({ containers: [name.restarting], thresholds: { restarts_warn: 1, restarts_crit: 2 } });
    expect(judgedCrit).toMatchObject({ status: 'crit' });
    expect(judgedCrit!.note).toMatch(/restarts \(crit at 2\): it is crash-looping/);
  });

  it('warns about a configured name that does not exist and lists the names that do', async () => {
    const lines = await probeLines({ containers: [name.healthy, `${prefix}helthy`] }, engineWithOwnContainers());

    expect(lines.map((line) => line.status)).toEqual(['ok', 'warn']);
    expect(lines[1]).toMatchObject({ label: `${prefix}helthy`, text: 'no such container' });
    expect(lines[1]!.note).toContain(name.healthy);
    expect(lines[1]!.note).toContain(name.denied);
    expect(lines[1]!.note).toContain(`Did you mean ${name.healthy}?`);
  });

  it('checks every container carrying a configured label', async () => {
    const lines = await probeLines({ container_labels: [runLabel] });

    const labelled = [name.healthy, name.stopped, name.unhealthy, name.allowed, name.denied, name.cycled];
    expect(lines.map((line) => line.label).sort()).toEqual(labelled.sort());
  });

  it('throws TargetUnreachable with the socket and the reason when no engine listens', async () => {
    const probe = createDockerProbe(target({ socket: `/tmp/${prefix}absent.sock` }));

    const failure = probe.run(AbortSignal.timeout(2_000));

    await expect(failure).rejects.toBeInstanceOf(TargetUnreachable);
    await expect(failure).rejects.toThrow(`Docker engine not reachable at /tmp/${prefix}absent.sock (ENOENT)`);
  });

  it('stops at once when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('health timed out'));

    await expect(createDockerProbe(target({})).run(controller.signal)).rejects.toThrow('health timed out');
  });
});

describe('Docker actions against the real engine', () => {
  const policyConfig = {
    containers: [name.healthy],
    container_labels: ['maintbot.allow=yes'],
    allow_actions: ['restart'],
  };
  const actions = () => new DockerActions(connectDockerEngine(), dockerActionPolicy(target(policyConfig)));

  it('restarts a container allowed by label and reports its new start time', async () => {
    const before = (await inspect(name.allowed)).State.StartedAt;

    const result = await actions().restart(name.allowed, { graceSeconds: 5 });

    const after = (await inspect(name.allowed)).State.StartedAt;
    expect(after).not.toBe(before);
    expect(result).toMatchObject({ action: 'restart', container: name.allowed, changed: true });
    expect(result.before.startedAt?.toISOString()).toBe(new Date(before).toISOString());
    expect(result.after.startedAt?.toISOString()).toBe(new Date(after).toISOString());
    expect(result.after.status).toBe('running');
  });

  it('refuses to restart a container outside the allow-list, names the allowed ones and leaves it alone', async () => {
    const before = (await inspect(name.denied)).State.StartedAt;

    const refusal = actions().restart(name.denied);

    await expect(refusal).rejects.toBeInstanceOf(UserError);
    await expect(refusal).rejects.toThrow(
      `Container "${name.denied}" is not in the allow-list of Docker target docker-test. Allowed containers: ${[name.allowed, name.healthy].sort().join(', ')} and any container labelled maintbot.allow=yes.`,
    );
    expect((await inspect(name.denied)).State.StartedAt).toBe(before);
  });

  it('refuses an action that config does not allow, even on an allowed container', async () => {
    const before = (await inspect(name.healthy)).State;

    await expect(actions().stop(name.healthy)).rejects.toThrow(
      'stop is not allowed on Docker target docker-test. Allowed actions: restart.',
    );
    const after = (await inspect(name.healthy)).State;
    expect(after.Status).toBe('running');
    expect(after.StartedAt).toBe(before.StartedAt);
  });

  it('stops and starts an allowed container, and says when it already was in that state', async () => {
    const cycler = new DockerActions(
      connectDockerEngine(),
      dockerActionPolicy(target({ containers: [name.cycled], allow_actions: ['stop', 'start'] })),
    );

    const stopped = await cycler.stop(name.cycled, { graceSeconds: 5 });
    const stoppedAgain = await cycler.stop(name.cycled);
    const started = await cycler.start(name.cycled);

    expect(stopped).toMatchObject({ changed: true, before: { status: 'running' }, after: { status: 'exited' } });
    expect(stoppedAgain).toMatchObject({ changed: false, after: { status: 'exited' } });
    expect(started).toMatchObject({ changed: true, after: { status: 'running' } });
    expect((await inspect(name.cycled)).State.Running).toBe(true);
  });
});
