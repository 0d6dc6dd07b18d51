import { spawn, type ChildProcess } from 'node:child_process';

/** How a finished child process ended, with the tail of what it wrote to standard error. */
export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

const stderrLimit = 16_384;

/** Options of one command-line tool run (pg_dump, mariadb-dump…). */
export interface RunToolOptions {
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  /** Called with the child before it is awaited, e.g. to stream its standard output somewhere. */
  onSpawn?: (child: ChildProcess) => void;
  /** Keep standard output in memory and return it (for small outputs such as `--list` and `--version`). */
  captureStdout?: boolean;
  /** Sees each whole line of standard error as it comes; a line it returns false for is left out of `stderr` (progress chatter). */
  onStderrLine?: (line: string) => boolean;
}

/**
 * Runs `file` with `args` (never through a shell) and resolves when it exits. Aborting `signal` sends
 * SIGTERM, then SIGKILL after two seconds. Standard error is kept (its last 16 KiB) for messages.
 */
export function runTool(file: string, args: readonly string[], options: RunToolOptions = {}): Promise<ChildResult & { stdout: string }> {
  return new Promise((resolve, reject) => {
    options.signal?.throwIfAborted();
    const child = spawn(file, args, {
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let stdout = '';
    let killTimer: NodeJS.Timeout | undefined;
    const abort = (): void => {
      child.kill('SIGTERM');
      killTimer = setTimeout(() => child.kill('SIGKILL'), 2000);
      killTimer.unref();
    };
    options.signal?.addEventListener('abort', abort, { once: true });
    let partial = '';
    const keep = (text: string): void => {
      stderr = (stderr + text).slice(-stderrLimit);
    };
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      if (!options.onStderrLine) return keep(chunk);
      const lines = (partial + chunk).split('\n');
      partial = lines.pop()!;
      for (const line of lines) if (options.onStderrLine(line)) keep(`${line}\n`);
    });
    child.stderr!.once('end', () => {
      if (partial && options.onStderrLine?.(partial)) keep(partial);
    });
    if (options.captureStdout) child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    else if (!options.onSpawn) child.stdout!.resume();
    options.onSpawn?.(child);
    child.once('error', (error) => {
      options.signal?.removeEventListener('abort', abort);
      reject(error);
    });
    child.once('close', (code, signal) => {
      options.signal?.removeEventListener('abort', abort);
      clearTimeout(killTimer);
      resolve({ code, signal, stderr: stderr.trim(), stdout });
    });
  });
}

/** The last meaningful lines of a tool's standard error, for a message. */
export function stderrTail(stderr: string, lines = 3): string {
  const meaningful = stderr
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
  return meaningful.slice(-lines).join(' / ') || 'no error output';
}
