import { describe, expect, it } from 'vitest';
import { AlertDesk } from '../../src/alerts/alert-desk.js';
import { parseMatcher } from '../../src/alerts/matchers.js';
import { firstSilencer, SilenceBook } from '../../src/alerts/silences.js';
import { UserError } from '../../src/core/errors.js';
import type { Finding } from '../../src/core/finding.js';
import type { Message } from '../../src/core/report.js';
import type { ChatPort, MessageHandle } from '../../src/core/responder.js';
import type { LineStatus } from '../../src/core/status.js';
import { createLogger } from '../../src/logging/logger.js';
import { ChannelDelivery } from '../../src/outbound/delivery.js';
import { OutboundRegistry } from '../../src/outbound/registry.js';
import { commandSpecSchema, usageLine } from '../../src/router/command-spec.js';
import { parseArguments } from '../../src/router/parse-arguments.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { userErrorOf } from '../support/user-error.js';

const logger = createLogger({ level: 'silent', pretty: false });
const at = (hour: number, minute = 0) => Date.UTC(2026, 0, 15, hour, minute);
const hours = (count: number) => count * 3_600_000;
const dbHost = { target: 'main-db', system: 'postgres', check: 'postgres.connections', severity: 'crit', host: 'db-host', team: 'payments' };
const api = { target: 'shop-api', system: 'http', check: 'http.reachable', severity: 'warn', team: 'web' };

function book(ids = ['7f3a', '9b2c', 'c001']) {
  const store = new MemoryStore(() => Date.now());
  let next = 0;
  return { store, silences: new SilenceBook(store, () => ids[next++ % ids.length]!) };
}

describe('silences', () => {
  it('cover alerts whose labels satisfy every matcher, with =, !=, =~ and !~ on targets, checks, severity and target labels', async () => {
    const { silences } = book();
    const now = at(12);
    const silence = await silences.add({ matchers: ['host=db-host', 'severity!=warn', 'check=~postgres\\..*', 'team!~web|ops'].map(parseMatcher), by: 'olga', until: now + hours(2), reason: 'planned upgrade' }, now);
    expect(silence).toMatchObject({ id: '7f3a', by: 'olga', reason: 'planned upgrade' });
    expect(await silences.silencing(dbHost, now)).toBe('silence 7f3a (planned upgrade)');
    expect(await silences.silencing({ ...dbHost, severity: 'warn' }, now)).toBeUndefined();
    expect(await silences.silencing({ ...dbHost, check: 'postgresXconnections' }, now)).toBeUndefined();
    expect(await silences.silencing({ ...dbHost, team: 'ops' }, now)).toBeUndefined();
    expect(await silences.silencing(api, now)).toBeUndefined();
  });

  it('end by themselves at their time, and can be ended early by id', async () => {
    const { silences } = book();
    const now = at(12);
    await silences.add({ matchers: [parseMatcher('target=main-db')], by: 'olga', until: now + hours(1) }, now);
    await silences.add({ matchers: [parseMatcher('team=web')], by: 'pat', until: now + hours(3) }, now);
    expect((await silences.active(now)).map((silence) => silence.id)).toEqual(['7f3a', '9b2c']);
    expect(await silences.silencing(dbHost, now + hours(1) - 1)).toBe('silence 7f3a');
    expect(await silences.silencing(dbHost, now + hours(1))).toBeUndefined();
    expect((await silences.active(now + hours(2))).map((silence) => silence.id)).toEqual(['9b2c']);
    expect((await silences.remove('9b2c', now + hours(2))).by).toBe('pat');
    expect(await silences.silencing(api, now + hours(2))).toBeUndefined();
    for (const id of ['constructor', '__proto__', 'toString']) await expect(silences.remove(id, now)).rejects.toThrow(`No silence in force has the id ${id}.`);
    await expect(silences.remove('9b2c', now)).rejects.toThrow(new UserError('No silence in force has the id 9b2c.', '/maint silences lists them with their ids'));
  });

  it('never reuse the id of a silence in force', async () => {
    const { silences } = book(['7f3a', '7f3a', 'beef']);
    const now = at(12);
    await silences.add({ matchers: [parseMatcher('target=main-db')], by: 'olga', until: now + hours(1) }, now);
    expect((await silences.add({ matchers: [parseMatcher('target=shop-api')], by: 'olga', until: now + hours(1) }, now)).id).toBe('beef');
  });

  it('combine with other silencers, the first that covers an alert naming it', async () => {
    const { silences } = book();
    const window = { silencing: async (labels: Record<string, string>) => (labels.host === 'db-host' ? 'maintenance window db-upgrade' : undefined) };
    await silences.add({ matchers: [parseMatcher('team=web')], by: 'olga', until: at(13) }, at(12));
    const both = firstSilencer(silences, window);
    expect(await both.silencing(api, at(12))).toBe('silence 7f3a');
    expect(await both.silencing(dbHost, at(12))).toBe('maintenance window db-upgrade');
    expect(await both.silencing({ target: 'other' }, at(12))).toBeUndefined();
  });
});

describe('an alert a silence held back', () => {
  function setup() {
    const store = new MemoryStore();
    const posted: Message[] = [];
    const port: ChatPort = {
      platform: 'slack',
      async post(channel, message) {
        posted.push(message);
        return { platform: 'slack', id: `${channel}/${posted.length}` } satisfies MessageHandle;
      },
      async replyTo(parent, message) {
        return this.post(parent.id, message);
      },
      async update() {},
    };
    const outbound = new OutboundRegistry();
    outbound.connect(port);
    const silences = new SilenceBook(store, () => '7f3a');
    const targets = new Map([['main-db', { system: 'postgres', labels: { host: 'db-host' } }]]);
    const desk = new AlertDesk({ store, delivery: new ChannelDelivery(outbound, logger), policy: { holdRuns: 2, renotifyAfterMs: hours(4) }, logger, targets, silencer: silences });
    const titles = () => posted.map((message) => (message.kind === 'report' ? message.title : message.text));
    return { desk, silences, titles };
  }
  const health = (status: LineStatus, checkId = 'postgres.connections'): Finding[] => [{ checkId, target: 'main-db', system: 'postgres', status, label: checkId.split('.')[1]!, text: `${status} figure` }];
  const channels = [{ platform: 'slack' as const, id: 'C0OPS' }];

  it('is posted on the first run after its silence is removed, while it still fires, and resolves in its thread as usual', async () => {
    const { desk, silences, titles } = setup();
    await silences.add({ matchers: [parseMatcher('host=db-host')], by: 'olga', until: at(14) }, at(11));
    await desk.observe(health('warn'), channels, 'UTC', at(12));
    expect(await desk.observe(health('warn'), channels, 'UTC', at(12, 5))).toEqual([]);
    await desk.observe(health('warn'), channels, 'UTC', at(12, 10));
    expect(titles()).toEqual([]);
    await silences.remove('7f3a', at(12, 12));
    const sent = await desk.observe(health('warn'), channels, 'UTC', at(12, 15));
    expect(sent).toMatchObject([{ kind: 'raised', level: 'warn' }]);
    await desk.observe(health('warn'), channels, 'UTC', at(12, 20));
    await desk.observe(health('ok'), channels, 'UTC', at(12, 25));
    await desk.observe(health('ok'), channels, 'UTC', at(12, 30));
    expect(titles()).toEqual(['WARN: main-db (postgres) · connections', 'RESOLVED: main-db (postgres) · connections']);
  });

  it('is posted after its silence ends by itself; one that resolved while silenced posts nothing at all', async () => {
    const { desk, silences, titles } = setup();
    await silences.add({ matchers: [parseMatcher('host=db-host')], by: 'olga', until: at(13) }, at(11));
    for (const minute of [0, 5]) await desk.observe([...health('crit'), ...health('crit', 'postgres.disk')], channels, 'UTC', at(12, minute));
    for (const minute of [10, 15]) await desk.observe([...health('crit'), ...health('ok', 'postgres.disk')], channels, 'UTC', at(12, minute));
    expect(titles()).toEqual([]);
    await desk.observe([...health('crit'), ...health('ok', 'postgres.disk')], channels, 'UTC', at(13));
    await desk.observe([...health('crit'), ...health('ok', 'postgres.disk')], channels, 'UTC', at(13, 5));
    expect(titles()).toEqual(['CRIT: main-db (postgres) · connections']);
  });
});

describe('a repeated argument', () => {
  const silence = commandSpecSchema.parse({
    name: 'silence',
    summary: 'Silence alerts',
    roles: ['operator'],
    builtin: 'silence',
    args: [{ name: 'matchers', required: true, repeated: true }],
    flags: [{ name: 'for', type: 'duration', required: true }],
  });

  it('takes every remaining word, flags still read wherever they stand', () => {
    expect(parseArguments(silence, ['host=db-host', '--for', '2h', 'check=~pg .*']).values).toEqual({ matchers: ['host=db-host', 'check=~pg .*'], for: hours(2) });
    expect(usageLine(silence)).toBe('/maint silence <matchers…> --for DURATION');
  });

  it('is still required, and each word is checked', () => {
    expect(userErrorOf(() => parseArguments(silence, ['--for', '2h'])).message).toContain('missing <matchers>');
    expect(userErrorOf(() => parseArguments(silence, ['host=db-host'])).message).toContain('missing --for');
    expect(userErrorOf(() => parseArguments(silence, ['a=b', 'c\u202Ed', '--for', '1h'])).message).toContain('matchers contains the control or direction character \\u202E');
  });

  it('may only be the last positional argument', () => {
    const wrong = commandSpecSchema.safeParse({ name: 'x', summary: 'x', roles: ['admin'], builtin: 'silence', args: [{ name: 'a', repeated: true }, { name: 'b' }] });
    expect(wrong.success).toBe(false);
  });
});
