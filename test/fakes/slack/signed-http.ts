import { createHmac } from 'node:crypto';
import { request } from 'node:http';
import { performance } from 'node:perf_hooks';

/** Slack's request signature: `v0=` + hex HMAC-SHA256 of `v0:{timestamp}:{raw body}`. */
export function slackSignature(signingSecret: string, timestamp: number, rawBody: string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${rawBody}`).digest('hex')}`;
}

/** Answer of the bot's HTTP endpoint to one signed post. */
export interface SignedFormAnswer {
  status: number;
  body: string;
  latencyMs: number;
}

/**
 * Posts `rawBody` to `url` exactly as Slack does: content type exactly
 * `application/x-www-form-urlencoded`, `X-Slack-Request-Timestamp` and `X-Slack-Signature`.
 * A fresh connection is used so no keep-alive socket outlives the call.
 */
export function postSignedForm(url: string, signingSecret: string, rawBody: string, timestamp: number): Promise<SignedFormAnswer> {
  const body = Buffer.from(rawBody, 'utf8');
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const outgoing = request(url, {
      method: 'POST',
      agent: false,
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        'Content-Length': body.length,
        'X-Slack-Request-Timestamp': String(timestamp),
        'X-Slack-Signature': slackSignature(signingSecret, timestamp, rawBody),
        'User-Agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
      },
    });
    outgoing.on('error', reject);
    outgoing.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          body: Buffer.concat(chunks).toString('utf8'),
          latencyMs: performance.now() - started,
        }),
      );
    });
    outgoing.end(body);
  });
}

/** Unix time in seconds, as Slack puts it in `X-Slack-Request-Timestamp`. */
export function unixSeconds(date = Date.now()): number {
  return Math.floor(date / 1000);
}
