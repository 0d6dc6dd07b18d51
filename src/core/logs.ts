/** One line a workload wrote, as a log source returns it. */
export interface LogEntry {
  /** When the runtime received the line; undefined when the source keeps no time. */
  at?: Date;
  stream: 'stdout' | 'stderr';
  /** The line without its trailing newline, as written (not yet masked). */
  text: string;
  /** The container inside a pod that wrote it, where a workload has several. */
  container?: string;
}

/** What to read: a workload's lines since a moment, at most `limit` of the newest. */
export interface LogRequest {
  /** The target (`targets.<system>[].name`); the only one of the source's system when absent. */
  target?: string;
  /** The workload: a Docker container, a Kubernetes pod. */
  name: string;
  /** One container of a pod; sources without containers refuse it with a `UserError`. */
  container?: string;
  sinceMs: number;
  /** The most lines to read, newest kept. */
  limit: number;
  signal: AbortSignal;
}

/** Which workload, for `LogSource.locate`. */
export type LogLocation = Pick<LogRequest, 'target' | 'name' | 'container' | 'signal'>;

/** What a source read: the lines, oldest first, and what they are of, for the answer's title. */
export interface LogBatch {
  /** The target they were read from. */
  target: string;
  /** e.g. `container api on Docker target local`. */
  subject: string;
  entries: LogEntry[];
  /** True when the source had more lines in the window than `limit`. */
  capped: boolean;
  /** True when the source sends standard output and error as one stream (a pod's log): no line is counted as stderr. */
  mixedStreams?: boolean;
}

/**
 * A system's workload logs, behind one contract so `/maint logs` and runbooks read Docker containers and
 * Kubernetes pods alike. A system offers one through `SystemModule.logSource`; refusals (unknown target,
 * unknown or not allowed workload) are `UserError`s that name what exists.
 *
 * @example
 * logSource: (targets) => ({
 *   system: 'docker', workload: 'container', targets: targets.map((target) => target.name),
 *   locate: (request) => findContainer(targets, request),
 *   read: (request) => readContainerLogs(targets, request),
 * }),
 */
export interface LogSource {
  /** The system name, e.g. `docker`. */
  system: string;
  /** What one workload is called in messages: `container`, `pod`. */
  workload: string;
  /** The names of the targets it reads from. */
  targets: readonly string[];
  /** Checks the workload exists and may be read, without reading; resolves with the batch's `subject`. */
  locate(request: LogLocation): Promise<string>;
  read(request: LogRequest): Promise<LogBatch>;
}
