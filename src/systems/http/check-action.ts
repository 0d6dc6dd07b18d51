import { z } from 'zod';
import type { ActionDefinition } from '../../core/action.js';
import { didYouMean } from '../../core/did-you-mean.js';
import { UserError } from '../../core/errors.js';
import { TargetUnreachable } from '../../core/probe.js';
import { requestOnce, safeAddress, type HttpTarget } from './probe.js';

const inputs = z.object({
  target: z.string().min(1, 'name an HTTP target'),
  expect_status: z.preprocess((value) => (value === '' || value === null ? undefined : value), z.number().int().min(100).max(599).optional()),
  body_match: z.preprocess((value) => (value === '' || value === null ? undefined : value), z.string().min(1).optional()),
  max_latency_ms: z.preprocess((value) => (value === '' || value === null ? undefined : value), z.number().int().positive().optional()),
});

/** Inputs of `http.check`. */
export type HttpCheckInput = z.output<typeof inputs>;

/**
 * `http.check`: one GET of a configured HTTP target (never a URL from chat): the status against the expected
 * one, the body against a text it must contain, the latency against a limit. Each defaults to the target's
 * config (`expect_status`, `body_match`, `thresholds.latency_crit_ms`). Read-only; `ok` says all three passed.
 */
export function httpCheckAction(targets: readonly HttpTarget[]): ActionDefinition<HttpCheckInput> {
  const resolve = (name: string): HttpTarget => {
    const found = targets.find((target) => target.name === name);
    if (found) return found;
    const names = targets.map((target) => target.name);
    throw new UserError(
      names.length === 0 ? 'No HTTP target is configured.' : `No HTTP target named ${JSON.stringify(name.slice(0, 64))}. HTTP targets: ${names.join(', ')}.${didYouMean(name, names)}`,
      'Config: targets.http[] in the bot config.',
    );
  };
  const expectations = (input: HttpCheckInput, target: HttpTarget) => ({
    statuses: input.expect_status !== undefined ? [input.expect_status] : Array.isArray(target.expect_status) ? target.expect_status : [target.expect_status],
    bodyMatch: input.body_match ?? target.body_match,
    maxLatencyMs: input.max_latency_ms ?? target.thresholds.latency_crit_ms,
  });
  return {
    name: 'http.check',
    destructive: false,
    inputs,
    outputs: {
      ok: { type: 'boolean', description: 'it answered with an expected status, the body matched (when asked) and within the latency limit' },
      reachable: { type: 'boolean', description: 'something answered at all' },
      status: { type: 'number', description: 'the HTTP status (null when nothing answered)' },
      latencyMs: { type: 'number', description: 'time to the whole body (null when nothing answered)' },
      bodyMatched: { type: 'boolean', description: 'the body contains body_match (null when none is asked)' },
      reason: { type: 'string', description: 'why it is not ok (null when ok)' },
    },
    async plan(input) {
      const target = resolve(input.target);
      const wanted = expectations(input, target);
      return {
        summary: `GET ${safeAddress(target.url)} (HTTP target ${target.name})`,
        detail: [`expect status ${wanted.statuses.join(' or ')}${wanted.bodyMatch ? `, a body containing "${wanted.bodyMatch}"` : ''}, within ${wanted.maxLatencyMs} ms`],
      };
    },
    async run(input, context) {
      const target = resolve(input.target);
      const wanted = expectations(input, target);
      let answer;
      try {
        answer = await requestOnce(target, context.signal);
      } catch (error) {
        if (!(error instanceof TargetUnreachable)) throw error;
        return {
          summary: `${target.name}: no answer (${error.message})`,
          output: { ok: false, reachable: false, status: null, latencyMs: null, bodyMatched: null, reason: error.message },
        };
      }
      const latencyMs = Math.round(answer.latencyMs);
      const status = answer.response.status;
      const bodyMatched = wanted.bodyMatch === undefined ? null : answer.body.includes(wanted.bodyMatch);
      const reasons = [
        wanted.statuses.includes(status) ? undefined : `status ${status}, expected ${wanted.statuses.join(' or ')}`,
        bodyMatched === false ? `the body does not contain "${wanted.bodyMatch}"` : undefined,
        latencyMs > wanted.maxLatencyMs ? `${latencyMs} ms, over ${wanted.maxLatencyMs} ms` : undefined,
      ].filter((reason): reason is string => reason !== undefined);
      const reason = reasons.length > 0 ? reasons.join('; ') : null;
      return {
        summary: `${target.name}: ${status} in ${latencyMs} ms${reason ? ` — ${reason}` : ''}`,
        output: { ok: reason === null, reachable: true, status, latencyMs, bodyMatched, reason },
      };
    },
  };
}
