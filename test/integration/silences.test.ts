import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import { configSchema } from '../../src/config/schema.js';
import { formatTimes, utcTime } from '../../src/core/time.js';
import { createLogger } from '../../src/logging/logger.js';
import { eventually, startOwnRedis, type OwnRedis } from '../support/services.js';
import { person, TestChat } from '../support/test-chat.js';

const logger = createLogger({ level: 'silent', pretty: false });
const olga = person('olga', ['operator']);
const victor = person('victor', ['viewer']);

interface Replica {
  app: App;
  chat: TestChat;
}

let redis: OwnRedis;
let dir: string;
const running: App[] = [];

beforeEach(async () => {
  redis = await startOwnRedis();
  dir = await mkdtemp(join(tmpdir(), 'maintbot-silences-'));
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((app) => app.close()));
  await redis.stop();
  await rm(dir, { recursive: true, force: true });
});

/** One bot process on the test's Redis; a chat passed in is the same workspace seen from another replica. */
async function replica(workspace?: TestChat): Promise<Replica> {
  const config = configSchema.parse({
    store: { redis_url: redis.url },
    audit: { file: join(dir, 'audit.jsonl') },
    rate_limits: { enabled: false },
    health: { timeout_ms: 1000 },
    targets: { http: [{ name: 'shop-api', url: 'http://127.0.0.1:1/health', labels: { team: 'web', host: 'web-1' } }] },
    alerts: { hold_runs: 2, silence_max: '1d' },
    schedules: [{ name: 'health-alerts', cron: '0 0 1 1 *', timezone: 'UTC', run: { alerts: 'health' }, channels: [{ platform: 'console', id: 'ops' }] }],
  });
  const app = await buildApp(config, logger);
  running.push(app);
  const chat = new TestChat(() => app.router, workspace);
  app.outbound.connect(chat.port);
  return { app, chat };
}

async function stop(replica: Replica): Promise<void> {
  running.splice(running.indexOf(replica.app), 1);
  await replica.app.close();
}

/** The alerts posted in the channel so far, by title. */
function alertTitles(chat: TestChat): string[] {
  return [...chat.messages.values()].map((versions) => versions.at(-1)!).flatMap((message) => (message.kind === 'report' ? [message.title] : []));
}

/** Runs the health alerts now and returns the run's summary, posted when it has finished. */
async function runHealth(chat: TestChat): Promise<string> {
  const { handles } = await chat.type(olga, 'run health-alerts');
  const summary = chat.latest(handles.at(-1)!);
  return summary.kind === 'notice' ? summary.text : summary.title;
}

const lastPrivate = (chat: TestChat, who = olga) => chat.privateTexts(who).at(-1) ?? '';

describe('silences on a Redis of the test’s own', () => {
  it('hold back matching alerts on every replica, survive a restart, and the alert follows once the silence is removed', async () => {
    let first = await replica();
    const second = await replica(first.chat);
    expect((await first.chat.type(olga, 'silence team=web check=~"reach.*" --for 2h --reason "deploy of shop"')).outcome).toBe('ok');
    const made = /^Silence (\w{4}): alerts matching team=web check=~reach\.\* are not posted until \d\d:\d\d UTC \(deploy of shop\)\. \/maint unsilence \1 ends it\.$/.exec(lastPrivate(first.chat));
    expect(made, lastPrivate(first.chat)).not.toBeNull();
    const id = made![1]!;

    expect(await runHealth(second.chat)).toBe('Schedule health-alerts ran for olga: health crit, 0 notifications.');
    expect(await runHealth(second.chat)).toBe('Schedule health-alerts ran for olga: health crit, 0 notifications.');
    expect(alertTitles(second.chat)).toEqual([]);

    await stop(first);
    first = await replica(second.chat);
    await first.chat.type(victor, 'silences');
    const listed = first.chat.privateAnswers.get('victor')!.at(-1)!;
    expect(listed.kind === 'notice' && listed.text).toBe('1 silence in force. End one with /maint unsilence <id>.');
    expect(listed.kind === 'notice' && formatTimes(listed.preformatted ?? '', utcTime)).toMatch(new RegExp(`^${id}  team=web check=~reach\\.\\*  by olga  until \\d\\d:\\d\\d UTC  deploy of shop$`));
    expect(await runHealth(first.chat)).toBe('Schedule health-alerts ran for olga: health crit, 0 notifications.');
    expect(alertTitles(first.chat)).toEqual([]);

    expect((await second.chat.type(victor, `unsilence ${id}`)).outcome).toBe('denied');
    expect((await second.chat.type(olga, `unsilence ${id}`)).outcome).toBe('ok');
    expect(lastPrivate(second.chat)).toBe(`You ended silence ${id} (team=web check=~reach.*): alerts it held back that are still open are posted on the next run.`);
    expect(await runHealth(first.chat)).toBe('Schedule health-alerts ran for olga: health crit, 1 notification.');
    expect(alertTitles(first.chat)).toEqual(['CRIT: shop-api (http) · reachable']);
    expect(await runHealth(second.chat)).toBe('Schedule health-alerts ran for olga: health crit, 0 notifications.');
    expect(alertTitles(first.chat)).toEqual(['CRIT: shop-api (http) · reachable']);

    const audit = (await readFile(join(dir, 'audit.jsonl'), 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as { command?: string; outcome: string; detail?: string; actor: { name: string } });
    const silencing = audit.filter((event) => /^(un)?silence /.test(event.command ?? ''));
    expect(silencing.map(({ actor, outcome, detail }) => [actor.name, outcome, detail?.replace(/until \S+Z/, 'until T')])).toEqual([
      ['olga', 'ok', `silence ${id}: team=web check=~reach.* until T (deploy of shop)`],
      ['victor', 'denied', expect.stringContaining("'unsilence' needs the role operator or admin")],
      ['olga', 'ok', `silence ${id} ended: team=web check=~reach.*`],
    ]);
  }, 60_000);

  it('end by themselves: the store key expires, the list is empty, and the alert is posted on the next run', async () => {
    const { chat } = await replica();
    await chat.type(olga, 'silence target=shop-api --for 2s');
    const id = /^Silence (\w{4})/.exec(lastPrivate(chat))![1]!;
    expect(await runHealth(chat)).toMatch(/0 notifications\.$/);
    const client = new Redis(redis.url);
    try {
      expect(await client.pttl('maintbot:alerts:silences')).toBeGreaterThan(0);
      await eventually('the silences key to expire in Redis', async () => (await client.exists('maintbot:alerts:silences')) === 0);
    } finally {
      client.disconnect();
    }
    await chat.type(olga, 'silences');
    expect(lastPrivate(chat)).toBe('No silences are in force. Make one with /maint silence <matcher>… --for 2h.');
    expect(await runHealth(chat)).toBe('Schedule health-alerts ran for olga: health crit, 1 notification.');
    expect(alertTitles(chat)).toEqual(['CRIT: shop-api (http) · reachable']);
    await chat.type(olga, `unsilence ${id}`);
    expect(lastPrivate(chat)).toBe(`No silence in force has the id ${id}.`);
  }, 30_000);

  it('refuse privately what is not a silence: a bad matcher, a missing or too long --for, one that covers everything, a viewer', async () => {
    const { chat } = await replica();
    const refusals: [string, string][] = [
      ['silence "team web" --for 1h', 'Not a silence: "team web" is not a matcher; expected name=value, name!=value, name=~regex or name!~regex, e.g. target=main-db.'],
      ['silence team=~"(" --for 1h', 'Not a silence: "team=~(": not a regular expression (Unterminated group).'],
      ['silence team=web', "Wrong arguments for 'silence': missing --for (how long, e.g. 30m, 2h (at most alerts.silence_max))."],
      ['silence --for 1h', "Wrong arguments for 'silence': missing <matchers> (one or more label matchers, e.g. host=db-host check=~\"postgres.*\")."],
      ['silence team=web --for 2d', 'A silence lasts at most 1d (alerts.silence_max); that --for is longer. Nothing was silenced.'],
      ['silence team!=ops --for 1h', 'That silence would cover every alert: each of its matchers also matches an alert without the label.'],
    ];
    for (const [line, told] of refusals) {
      expect((await chat.type(olga, line)).outcome, line).toBe('invalid');
      expect(lastPrivate(chat), line).toBe(told);
    }
    expect((await chat.type(victor, 'silence team=web --for 1h')).outcome).toBe('denied');
    await chat.type(olga, 'silences');
    expect(lastPrivate(chat)).toMatch(/^No silences are in force\./);
    await chat.type(olga, 'silence hots=web-1 --for 1h');
    expect(lastPrivate(chat)).toMatch(/ No target has the label hots \(alerts have check, host, severity, system, target, team\)\.$/);
    expect([...chat.messages.values()]).toEqual([]);
  }, 30_000);
});
