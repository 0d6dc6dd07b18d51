import { UserError } from '../core/errors.js';

/** How long a `--grep` pattern may match over the lines before it is stopped. */
export const grepBudgetMs = 1_000;

/** The longest pattern accepted. */
export const grepPatternMax = 300;

const matcherSource = `
const { parentPort, workerData } = require('node:worker_threads');
const pattern = new RegExp(workerData.source, workerData.flags);
const hits = [];
for (let index = 0; index < workerData.lines.length; index++) if (pattern.test(workerData.lines[index])) hits.push(index);
parentPort.postMessage(hits);
`;

/** The pattern compiled (case-insensitive), or a `UserError` that says what is wrong with it. */
export function compileGrep(source: string): RegExp {
  if (source.length > grepPatternMax) throw new UserError(`The --grep pattern is ${source.length} characters long; the most is ${grepPatternMax}.`);
  try {
    return new RegExp(source, 'i');
  } catch (error) {
    throw new UserError(`The --grep pattern is not a valid regular expression: ${(error as Error).message.replace(/^Invalid regular expression: /, '')}.`);
  }
}

/**
 * The indices of the lines `source` matches (case-insensitive). JavaScript regular expressions backtrack,
 * and a pattern such as `(a+)+$` can take longer than the universe on one line, so the match runs in a
 * worker thread that is terminated when it has not answered within `budgetMs` of starting; that is a
 * `UserError` naming the likely cause.
 */
export async function grepLines(source: string, lines: readonly string[], signal: AbortSignal, budgetMs = grepBudgetMs): Promise<number[]> {
  compileGrep(source);
  const { Worker } = await import('node:worker_threads');
  signal.throwIfAborted();
  const worker = new Worker(matcherSource, { eval: true, workerData: { source, flags: 'i', lines } });
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  try {
    return await new Promise<number[]>((resolve, reject) => {
      worker.once('online', () => {
        timer = setTimeout(() => {
          reject(
            new UserError(
              `The --grep pattern ${JSON.stringify(source)} was stopped after ${budgetMs / 1000} s over ${lines.length} lines: it backtracks too much (nested repeats such as (a+)+ or (.*)*). Use a simpler pattern, e.g. a plain word or alternatives like "timeout|refused".`,
            ),
          );
        }, budgetMs);
      });
      worker.once('message', (hits: number[]) => resolve(hits));
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the grep worker exited with code ${code}`)));
      onAbort = () => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  } finally {
    clearTimeout(timer);
    if (onAbort) signal.removeEventListener('abort', onAbort);
    await worker.terminate();
  }
}
