/** Per-call options the engine accepts; `abortSignal` cancels the HTTP request. */
export interface EngineCallOptions {
  abortSignal?: AbortSignal;
}

/** One container as listed by the engine (`GET /containers/json?all=1`). */
export interface EngineContainerSummary {
  Id: string;
  /** Names with a leading slash, e.g. "/api". */
  Names: string[];
  Labels: Record<string, string>;
  State: string;
}

/** The fields of `GET /containers/{id}/json` that maintbot reads. */
export interface EngineContainerDetails {
  Id: string;
  Name: string;
  RestartCount: number;
  Config: { Image: string; Labels: Record<string, string> | null; Tty?: boolean };
  State: {
    Status: string;
    ExitCode: number;
    StartedAt: string;
    FinishedAt: string;
    Health?: {
      Status: string;
      FailingStreak: number;
      Log?: Array<{ ExitCode: number; Output: string }> | null;
    };
  };
}

/** The calls maintbot makes on one container. */
export interface EngineContainer {
  inspect(options?: EngineCallOptions): Promise<EngineContainerDetails>;
  restart(options?: EngineCallOptions & { t?: number }): Promise<unknown>;
  stop(options?: EngineCallOptions & { t?: number }): Promise<unknown>;
  start(options?: EngineCallOptions): Promise<unknown>;
  /** The container's output so far (`follow: false`): multiplexed frames, or raw bytes for a TTY container. */
  logs(options: EngineCallOptions & EngineLogOptions): Promise<Buffer>;
}

/** What `GET /containers/{id}/logs` is asked for. */
export interface EngineLogOptions {
  follow: false;
  stdout: boolean;
  stderr: boolean;
  timestamps: boolean;
  /** Unix seconds. */
  since?: number;
  /** The newest lines only. */
  tail?: number;
}

/** The narrow part of a dockerode client that maintbot uses; a `Dockerode` instance satisfies it. */
export interface DockerEngine {
  listContainers(options: EngineCallOptions & { all: boolean }): Promise<EngineContainerSummary[]>;
  /** `id` must come from the engine's own list, never from user text. */
  getContainer(id: string): EngineContainer;
}

/** Default location of the engine's socket. */
export const defaultDockerSocket = '/var/run/docker.sock';

/**
 * A dockerode client for a unix socket path or a `tcp://host:port` address. dockerode (with its gRPC and SSH
 * dependencies) is imported on the first call, so a bot that never talks to Docker never loads it.
 */
export function connectDockerEngine(socket: string = defaultDockerSocket): DockerEngine {
  let client: Promise<DockerEngine> | undefined;
  const engine = (): Promise<DockerEngine> => (client ??= import('./dockerode-client.js').then(({ dockerodeClient }) => dockerodeClient(socket)));
  const container = async (id: string): Promise<EngineContainer> => (await engine()).getContainer(id);
  return {
    listContainers: async (options) => (await engine()).listContainers(options),
    getContainer: (id) => ({
      inspect: async (options) => (await container(id)).inspect(options),
      restart: async (options) => (await container(id)).restart(options),
      stop: async (options) => (await container(id)).stop(options),
      start: async (options) => (await container(id)).start(options),
      logs: async (options) => (await container(id)).logs(options),
    }),
  };
}

const connectionErrorCodes = new Set([
  'ENOENT',
  'ECONNREFUSED',
  'EACCES',
  'EPERM',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
]);

/** The system error code (e.g. "ENOENT") when `error` means the engine could not be reached at all. */
export function engineConnectionErrorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && connectionErrorCodes.has(code) ? code : undefined;
}

/** The HTTP status the engine answered with, when the error came from an answer. */
export function engineStatusCode(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}
