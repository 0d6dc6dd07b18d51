import { z } from 'zod';
import type { ProbeFinding } from '../../core/finding.js';
import { TargetUnreachable, type Probe } from '../../core/probe.js';
import { checkLimitOrder, highLimitsText, judgeHigh, type LimitPair } from '../../core/judge.js';
import { describeConnectError } from '../../core/network.js';
import { targetNameSchema } from '../../core/target-name.js';
import { targetCommonFields } from '../../core/target-fields.js';

const statusCode = z.number().int().min(100).max(599);
const milliseconds = z.number().int().positive();

const httpThresholdsSchema = z
  .object({
    latency_warn_ms: milliseconds.default(2_000),
    latency_crit_ms: milliseconds.default(10_000),
  })
  .strict();

type HttpThresholds = z.output<typeof httpThresholdsSchema>;

const limitPairs: readonly LimitPair<HttpThresholds>[] = [['latency_warn_ms', 'latency_crit_ms', 'higher']];

/** One HTTP(S) endpoint to check: `targets.http[]` in the config. */
export const httpTargetSchema = z
  .object({
    name: targetNameSchema,
    url: z.string().regex(/^https?:\/\/[^/]/, 'expected an http:// or https:// URL'),
    expect_status: z.union([statusCode, z.array(statusCode).min(1)]).default(200),
    body_match: z.string().min(1).optional().describe('plain text the response body must contain'),
    timeout_ms: milliseconds.optional().describe('gives up sooner than the health timeout'),
    optional: z.boolean().default(false),
    ...targetCommonFields,
    thresholds: httpThresholdsSchema
      .superRefine((thresholds, ctx) =>
        checkLimitOrder(thresholds, limitPairs, (problem) => ctx.addIssue({ code: 'custom', ...problem })),
      )
      .prefault({}),
  })
  .strict();

/** A validated HTTP target, defaults filled in. */
export type HttpTarget = z.output<typeof httpTargetSchema>;

const maxBodyBytes = 1024 * 1024;
const bodyExcerptChars = 120;

/** Checks one HTTP endpoint: status against the expected one(s), latency and an optional text in the body. */
export function createHttpProbe(target: HttpTarget): Probe {
  const expected = Array.isArray(target.expect_status) ? target.expect_status : [target.expect_status];
  return {
    target: target.name,
    system: 'http',
    optional: target.optional,
    async run(signal) {
      const { response, body, latencyMs } = await requestOnce(target, signal);
      const lines = [statusLine(response, expected), latencyLine(latencyMs, target.thresholds)];
      if (target.body_match !== undefined) lines.push(bodyLine(body, target.body_match));
      return lines;
    },
  };
}

/** What one request to an endpoint answered. */
export interface HttpAnswer {
  response: Response;
  /** At most the first MiB. */
  body: string;
  latencyMs: number;
}

/** One GET of a target's URL within its `timeout_ms` and `signal`; throws `TargetUnreachable` when nothing answers. */
export async function requestOnce(target: Pick<HttpTarget, 'url' | 'timeout_ms'>, signal: AbortSignal): Promise<HttpAnswer> {
  const address = safeAddress(target.url);
  const requestSignal = target.timeout_ms === undefined ? signal : AbortSignal.any([signal, AbortSignal.timeout(target.timeout_ms)]);
  const started = performance.now();
  try {
    const response = await fetch(target.url, { signal: requestSignal, headers: { 'user-agent': 'maintbot-health' } });
    const body = await readBody(response);
    return { response, body, latencyMs: performance.now() - started };
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    if (requestSignal.aborted) throw new TargetUnreachable(`no answer from ${address} in ${target.timeout_ms} ms`);
    throw new TargetUnreachable(describeConnectError(error, address), { cause: error });
  }
}

/** The host and port of a URL, never its credentials or path, for messages. */
export function safeAddress(url: string): string {
  try {
    const parsed = new URL(url);
    return parsed.host;
  } catch {
    return 'the configured URL';
  }
}

async function readBody(response: Response): Promise<string> {
  if (!response.body) return '';
  const decoder = new TextDecoder();
  let text = '';
  let bytes = 0;
  for await (const chunk of response.body) {
    bytes += chunk.byteLength;
    text += decoder.decode(chunk, { stream: true });
    if (bytes >= maxBodyBytes) {
      await response.body.cancel();
      break;
    }
  }
  return text + decoder.decode();
}

function statusLine(response: Response, expected: number[]): ProbeFinding {
  const text = `${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
  const threshold = `crit unless ${expected.join(' or ')}`;
  const check = { checkId: 'http.status', label: 'status' };
  if (expected.includes(response.status)) return { ...check, status: 'ok', text, threshold };
  return {
    ...check,
    status: 'crit',
    text,
    threshold,
    note:
      response.status >= 500
        ? 'the service reports an error: check its logs and the dependencies it needs'
        : 'not the answer this endpoint should give: check the URL and expect_status, and the service itself',
  };
}

function latencyLine(latencyMs: number, thresholds: HttpThresholds): ProbeFinding {
  const limits = { warn: thresholds.latency_warn_ms, crit: thresholds.latency_crit_ms };
  const status = judgeHigh(latencyMs, limits);
  const line: ProbeFinding = {
    checkId: 'http.latency',
    status,
    measure: { value: latencyMs / 1000, unit: 'seconds' },
    label: 'latency',
    text: `${Math.round(latencyMs)} ms`,
    threshold: highLimitsText(limits, ' ms'),
  };
  if (status !== 'ok') line.note = 'users wait this long too: check the service load and what it waits on (database, upstream APIs)';
  return line;
}

function bodyLine(body: string, expectedText: string): ProbeFinding {
  const threshold = `crit unless the body contains "${expectedText}"`;
  const check = { checkId: 'http.body', label: 'body' };
  if (body.includes(expectedText)) return { ...check, status: 'ok', text: 'contains the expected text', threshold };
  const excerpt = body.replace(/\s+/g, ' ').trim().slice(0, bodyExcerptChars);
  return {
    ...check,
    status: 'crit',
    text: 'expected text not found',
    threshold,
    note: 'the endpoint answers but does not report itself healthy: read its full answer and the service logs',
    detail: [excerpt ? `body starts: ${excerpt}` : 'the body is empty'],
  };
}
