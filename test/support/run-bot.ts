import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

/** What a finished bot process printed. */
export interface BotRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The repository root, where `npm start` runs. */
export const repoRoot = resolve(import.meta.dirname, '..', '..');

/** Runs the real `npm start` with the given lines on standard input and waits for it to exit. */
export function runNpmStart(stdinLines: string[], options: { args?: string[]; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<BotRun> {
  const args = ['start', ...(options.args?.length ? ['--', ...options.args] : [])];
  const child = spawn('npm', args, {
    cwd: repoRoot,
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end(stdinLines.map((line) => `${line}\n`).join(''));
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`npm start did not exit within ${options.timeoutMs ?? 30_000} ms.\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }, options.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
  });
}
