import Docker from 'dockerode';

/** The image `.ci/setup-docker.sh` builds from busybox-static; it has no network access needs. */
export const testImage = 'maintbot-test/busybox:latest';

/** Every test container name starts with this, so leftovers can be found and removed. */
export const testContainerPrefix = 'maintbot-test-';

const setupHint = 'Run `.ci/setup-docker.sh` as root to install and start the engine and build the test image.';

let client: Docker | undefined;

/** A dockerode client on the local engine. */
export function dockerClient(): Docker {
  client ??= new Docker({ socketPath: process.env.DOCKER_SOCKET ?? '/var/run/docker.sock' });
  return client;
}

/** Fails with a message that says how to fix it when the engine or the test image is missing. */
export async function requireDockerAndTestImage(): Promise<void> {
  const docker = dockerClient();
  try {
    await docker.ping();
  } catch (error) {
    throw new Error(`Docker engine not reachable (${(error as Error).message}). ${setupHint}`, { cause: error });
  }
  try {
    await docker.getImage(testImage).inspect();
  } catch (error) {
    throw new Error(`Docker test image ${testImage} is missing. ${setupHint}`, { cause: error });
  }
}

/** What a test container should run. */
export interface TestContainerSpec {
  /** Must start with "maintbot-test-". */
  name: string;
  /** Command in the busybox image; by default a shell that sleeps and exits at once on SIGTERM. */
  cmd?: string[];
  /** Shell command run as the health check every 500 ms; one failure makes it unhealthy. */
  healthCmd?: string;
  restartAlways?: boolean;
  labels?: Record<string, string>;
  /** Gives the container a TTY: its output is one raw stream instead of stdout and stderr frames. */
  tty?: boolean;
}

/** A shell that idles until stopped and stops at once on SIGTERM, so restarts take milliseconds. */
export const idleCommand = ['sh', '-c', 'trap "exit 0" TERM; sleep 3600 & wait'];

/** Creates and starts a container from the test image. */
export async function startTestContainer(spec: TestContainerSpec): Promise<Docker.Container> {
  if (!spec.name.startsWith(testContainerPrefix)) {
    throw new Error(`test container name must start with ${testContainerPrefix}: ${spec.name}`);
  }
  await requireDockerAndTestImage();
  const container = await dockerClient().createContainer({
    name: spec.name,
    Image: testImage,
    Cmd: spec.cmd ?? idleCommand,
    Labels: spec.labels ?? {},
    ...(spec.tty ? { Tty: true } : {}),
    ...(spec.healthCmd
      ? {
          Healthcheck: {
            Test: ['CMD-SHELL', spec.healthCmd],
            Interval: 500_000_000,
            Timeout: 2_000_000_000,
            Retries: 1,
            StartPeriod: 0,
          },
        }
      : {}),
    HostConfig: {
      NetworkMode: 'none',
      ...(spec.restartAlways ? { RestartPolicy: { Name: 'always' } } : {}),
    },
  });
  await container.start();
  return container;
}

/** Force-removes every container whose name starts with `prefix` (which must start with "maintbot-test-"). */
export async function removeTestContainers(prefix: string): Promise<void> {
  if (!prefix.startsWith(testContainerPrefix)) {
    throw new Error(`refusing to remove containers outside ${testContainerPrefix}*: ${prefix}`);
  }
  const docker = dockerClient();
  const containers = await docker.listContainers({ all: true });
  const ours = containers.filter((info) => info.Names.some((name) => name.replace(/^\//, '').startsWith(prefix)));
  await Promise.all(
    ours.map((info) =>
      docker
        .getContainer(info.Id)
        .remove({ force: true, v: true })
        .catch((error: { statusCode?: number }) => {
          if (error.statusCode !== 404 && error.statusCode !== 409) throw error;
        }),
    ),
  );
}

/** Polls `check` every 100 ms until it returns a value, failing after `timeoutMs` with `what`. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
