import { z } from 'zod';
import type { ActionDefinition, ActionRegistry, StepOutcome } from '../core/action.js';
import { parseDuration } from '../core/duration.js';
import { didYouMean } from '../core/did-you-mean.js';
import { UserError } from '../core/errors.js';
import { formatSeconds } from '../render/units.js';

const duration = (fallback: string) =>
  z.preprocess(
    (value) => (value === '' || value === null || value === undefined ? fallback : typeof value === 'string' ? (parseDuration(value) ?? value) : value),
    z.number({ message: 'expected a duration such as 5s or 2m' }).int().positive(),
  );

const inputs = z.object({
  check: z.string().min(1, 'name the read-only action to repeat, e.g. docker.status'),
  with: z.record(z.string(), z.unknown()).default({}),
  until: z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'name a boolean output of the check, e.g. healthy').default('ok'),
  every: duration('2s'),
  timeout: duration('2m'),
  fail_on_timeout: z.boolean().default(false),
});

/** Inputs of `wait.until`. */
export type WaitUntilInput = z.output<typeof inputs>;

/**
 * `wait.until`: repeats a read-only action (`check`, with its own `with:`) every `every` until its boolean
 * output `until` is true or `timeout` has passed, showing each attempt in the run's message in place. A timeout
 * ends the step as done with `ok: false` (so a later step can escalate), or as failed with `fail_on_timeout`.
 *
 * @example
 * - id: healthy
 *   action: wait.until
 *   with: { check: docker.status, with: { container: "${params.container}" }, until: healthy, every: 2s, timeout: 2m }
 */
export function waitUntilAction(actions: ActionRegistry): ActionDefinition<WaitUntilInput> {
  const checkOf = (input: WaitUntilInput) => {
    const action = actions.get(input.check);
    if (!action) throw new UserError(`wait.until: no action named ${input.check}.`);
    const parsed = action.inputs.safeParse(input.with);
    if (!parsed.success) throw new UserError(`wait.until: invalid input for ${input.check}: ${parsed.error.issues.map((issue) => `${issue.path.join('.') || 'input'}: ${issue.message}`).join('; ')}.`);
    return { action, input: parsed.data };
  };
  return {
    name: 'wait.until',
    destructive: false,
    inputs,
    outputs: {
      ok: { type: 'boolean', description: 'the check passed before the timeout' },
      attempts: { type: 'number', description: 'how many times the check ran' },
      waitedMs: { type: 'number', description: 'from the first attempt to the last' },
      last: { type: 'object', description: 'the last attempt\'s outputs, e.g. ${steps.wait.outputs.last.status}' },
    },
    checkStep(written, registry) {
      const check = typeof written.check === 'string' ? registry.get(written.check) : undefined;
      if (typeof written.check !== 'string') return [{ key: 'check', message: 'name the read-only action to repeat, e.g. docker.status' }];
      if (!check) return [{ key: 'check', message: `unknown action '${written.check}'${didYouMean(written.check, registry.names())}` }];
      if (check.destructive !== false) return [{ key: 'check', message: `${check.name} changes things; wait.until repeats only read-only actions` }];
      const until = typeof written.until === 'string' ? written.until : 'ok';
      const output = check.outputs?.[until];
      const booleans = Object.entries(check.outputs ?? {}).filter(([, spec]) => spec.type === 'boolean').map(([name]) => name);
      if (!output || output.type !== 'boolean') {
        return [{ key: 'until', message: `${check.name} has no boolean output '${until}' (its boolean outputs: ${booleans.join(', ') || 'none'})${didYouMean(until, booleans)}` }];
      }
      return [];
    },
    async plan(input, context) {
      const check = checkOf(input);
      const plan = await check.action.plan(check.input, context);
      return {
        summary: `repeat "${plan.summary}" every ${formatSeconds(input.every / 1000)} until ${input.until}, at most ${formatSeconds(input.timeout / 1000)}`,
        detail: plan.detail,
      };
    },
    async run(input, context) {
      const check = checkOf(input);
      const started = Date.now();
      const deadline = started + input.timeout;
      let attempts = 0;
      let last: StepOutcome;
      for (;;) {
        attempts++;
        last = await check.action.run(check.input, { ...context, progress: async () => undefined });
        const passed = last.output?.[input.until] === true;
        const waitedMs = Date.now() - started;
        const output = { ok: passed, attempts, waitedMs, last: last.output ?? {} };
        const seen = last.summary ?? `${input.until}: ${String(last.output?.[input.until])}`;
        if (passed) return { summary: `${input.until} after ${attempts} attempt${attempts === 1 ? '' : 's'} (${formatSeconds(waitedMs / 1000)}): ${seen}`, output };
        if (Date.now() + input.every > deadline) {
          const sentence = `still not ${input.until} after ${formatSeconds(waitedMs / 1000)} (${attempts} attempts): ${seen}`;
          return { summary: sentence, output, ...(input.fail_on_timeout ? { failure: sentence } : {}) };
        }
        await context.progress(`waiting until ${input.until}: attempt ${attempts}, ${formatSeconds(waitedMs / 1000)} of ${formatSeconds(input.timeout / 1000)} — ${seen}`);
        await sleep(input.every, context.signal);
      }
    },
  };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
