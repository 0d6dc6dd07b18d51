import { UserError } from '../../core/errors.js';
import type { LogBatch, LogEntry, LogLocation, LogRequest, LogSource } from '../../core/logs.js';
import { byTime, timestampedEntry } from '../../logs/timestamped.js';
import { resolveDockerTarget, type DockerEngineFactory } from './actions.js';
import { DockerActions } from './container-actions.js';
import { connectDockerEngine } from './engine.js';
import { dockerActionPolicy, type DockerTarget } from './probe.js';

const frameHeaderBytes = 8;
const streams = { 1: 'stdout', 2: 'stderr' } as const;

/**
 * Splits what the engine sends for `GET /containers/{id}/logs` into lines: without a TTY it is frames of an
 * 8-byte header (stream 1 stdout or 2 stderr, three zero bytes, a big-endian payload length) and the payload;
 * with a TTY one raw stream, counted as stdout. With `timestamps`, each line starts with the engine's
 * RFC 3339 time and a space; the lines of both streams are then ordered by it (the engine may send one
 * stream's lines before the other's).
 */
export function parseDockerLogs(raw: Buffer, tty: boolean): LogEntry[] {
  if (tty) return splitLines(raw.toString('utf8'), 'stdout');
  const pending: Record<'stdout' | 'stderr', string> = { stdout: '', stderr: '' };
  const entries: LogEntry[] = [];
  for (let offset = 0; offset + frameHeaderBytes <= raw.length; ) {
    const stream = streams[raw[offset] as 1 | 2] ?? 'stdout';
    const size = raw.readUInt32BE(offset + 4);
    const payload = raw.subarray(offset + frameHeaderBytes, offset + frameHeaderBytes + size).toString('utf8');
    offset += frameHeaderBytes + size;
    const parts = (pending[stream] + payload).split('\n');
    pending[stream] = parts.pop() ?? '';
    entries.push(...parts.map((line) => timestampedEntry(line, stream)));
  }
  for (const stream of ['stdout', 'stderr'] as const) if (pending[stream]) entries.push(timestampedEntry(pending[stream], stream));
  return entries.sort(byTime);
}

function splitLines(text: string, stream: LogEntry['stream']): LogEntry[] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.map((line) => timestampedEntry(line, stream));
}

/** The logs of the containers of the configured Docker targets: the ones each target names, or all when it names none. */
export function dockerLogSource(targets: readonly DockerTarget[], connect: DockerEngineFactory = (target) => connectDockerEngine(target.socket)): LogSource {
  const clients = new Map<string, DockerActions>();
  const actionsFor = (name: string | undefined): DockerActions => {
    const target = resolveDockerTarget(targets, name);
    let client = clients.get(target.name);
    if (!client) {
      client = new DockerActions(connect(target), dockerActionPolicy(target));
      clients.set(target.name, client);
    }
    return client;
  };
  const find = async (request: LogLocation) => {
    if (request.container !== undefined) throw new UserError('--container names a container inside a Kubernetes pod; a Docker container has none. Leave it out.');
    const docker = actionsFor(request.target);
    const found = await docker.authorizeRead(request.name, request.signal);
    return { docker, ...found, subject: `container ${found.container.name} on Docker target ${docker.policy.target}` };
  };
  return {
    system: 'docker',
    workload: 'container',
    targets: targets.map((target) => target.name),
    locate: async (request) => (await find(request)).subject,
    async read(request: LogRequest): Promise<LogBatch> {
      const { docker, container, state, subject } = await find(request);
      const raw = await docker.logs(
        container,
        { stdout: true, stderr: true, timestamps: true, since: Math.floor((Date.now() - request.sinceMs) / 1000), tail: request.limit + 1 },
        request.signal,
      );
      const entries = parseDockerLogs(raw, state.tty);
      const capped = entries.length > request.limit;
      return {
        target: docker.policy.target,
        subject,
        entries: capped ? entries.slice(-request.limit) : entries,
        capped,
      };
    },
  };
}
