import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import { startHeartbeat, type Heartbeat } from '../../src/observability/heartbeat.js';
import type { Readiness } from '../../src/observability/readiness.js';
import { startOnBothPlatforms } from '../e2e/both-platforms.js';
import { capturedLogger } from '../support/logs.js';
import { eventually, freePort } from '../support/services.js';

/** What the sink was asked: method and path (with query), in order. */
const requests: { method: string; url: string }[] = [];
let sink: Server;
let base: string;
const running: Heartbeat[] = [];

beforeAll(async () => {
  sink = createServer((request, response) => {
    requests.push({ method: request.method ?? '', url: request.url ?? '' });
    response.statusCode = request.url?.startsWith('/fail') ? 500 : 200;
    response.end('OK');
  });
  await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(sink.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await Promise.all(running.map((heartbeat) => heartbeat.stop()));
  await new Promise<void>((resolve) => sink.close(() => resolve()));
});

const ready: Readiness = { ready: true, down: [] };
const pingsTo = (path: string) => requests.filter((request) => request.url === path);

function beat(path: string, options: { readiness?: () => Promise<Readiness>; logger?: ReturnType<typeof capturedLogger>['logger'] } = {}): Heartbeat {
  const heartbeat = startHeartbeat({ url: `${base}${path}`, everyMs: 100, readiness: options.readiness ?? (async () => ready), logger: options.logger ?? capturedLogger().logger });
  running.push(heartbeat);
  return heartbeat;
}

describe('the heartbeat', () => {
  it('pings its URL with GET again and again while the bot is ready', async () => {
    beat('/ping/3f9a-token');
    await eventually('three pings', () => pingsTo('/ping/3f9a-token').length >= 3);
    expect(new Set(pingsTo('/ping/3f9a-token').map((request) => request.method))).toEqual(new Set(['GET']));
  });

  it('does not ping while the bot is not ready, and says why once', async () => {
    const { logger, records } = capturedLogger();
    let asked = 0;
    beat('/unready/token-7', {
      logger,
      readiness: async () => {
        asked++;
        return { ready: false, down: [{ component: 'store:redis', reason: 'ping failed' }] };
      },
    });
    await eventually('readiness asked three times', () => asked >= 3);
    expect(pingsTo('/unready/token-7')).toEqual([]);
    expect(records().filter((record) => record.msg === 'heartbeat not sent').map((record) => record.problem)).toEqual(['not ready: store:redis ping failed']);
  });

  it('logs a failed ping without the secret in its URL', async () => {
    const { logger, records } = capturedLogger();
    beat('/fail/s3cret-uuid?status=up&key=k3y', { logger });
    const refusedUrl = `http://127.0.0.1:${await freePort()}/api/push/pu5h-token?status=up`;
    running.push(startHeartbeat({ url: refusedUrl, everyMs: 100, readiness: async () => ready, logger }));
    const failures = await eventually('both failures logged', () => {
      const logged = records().filter((record) => record.msg === 'heartbeat not sent');
      return logged.length >= 2 ? logged : undefined;
    });
    expect(failures.map((record) => [record.url, record.problem])).toEqual(
      expect.arrayContaining([
        [`${base}/***`, 'the monitor answered HTTP 500'],
        [expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/\*\*\*$/), expect.stringMatching(/^ping failed: /)],
      ]),
    );
    expect(JSON.stringify(records())).not.toMatch(/s3cret|k3y|pu5h/);
  });

  it('stops pinging after stop(): a heartbeat started later pings twice and the stopped one not once more', async () => {
    const stopped = beat('/stopped/token-1');
    await eventually('a first ping', () => pingsTo('/stopped/token-1').length >= 1);
    await stopped.stop();
    const before = pingsTo('/stopped/token-1').length;
    beat('/later/token-2');
    await eventually('two pings of the later heartbeat', () => pingsTo('/later/token-2').length >= 2);
    expect(pingsTo('/stopped/token-1')).toHaveLength(before);
  });

  it('is refused in the config without an http(s) URL or with an interval under a second, and off with an empty URL', () => {
    expect(configSchema.safeParse({ heartbeat: { url: 'hc-ping.com/uuid' } }).success).toBe(false);
    expect(configSchema.safeParse({ heartbeat: { url: 'https://hc-ping.com/uuid', every: '500ms' } }).success).toBe(false);
    expect(configSchema.parse({ heartbeat: { url: '' } }).heartbeat).toEqual({ every: '1m' });
  });
});

describe('the heartbeat of a running bot', () => {
  it('pings while Slack and Discord are connected and stops when the bot stops', async () => {
    const both = await startOnBothPlatforms({ heartbeat: { url: `${base}/bot/uuid-9`, every: '1s' } });
    try {
      await eventually('two pings from the bot', () => pingsTo('/bot/uuid-9').length >= 2);
    } finally {
      await both.close();
    }
    const before = pingsTo('/bot/uuid-9').length;
    beat('/after-bot/uuid-10');
    await eventually('the later heartbeat pinging for longer than one bot interval', () => pingsTo('/after-bot/uuid-10').length >= 12);
    expect(pingsTo('/bot/uuid-9')).toHaveLength(before);
  }, 60_000);
});
