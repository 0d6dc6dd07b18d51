import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import { configSchema } from '../../src/config/schema.js';
import { createLogger } from '../../src/logging/logger.js';
import { windowPostKey } from '../../src/alerts/maintenance-windows.js';
import { formatCount } from '../../src/render/figures.js';
import { person, TestChat } from '../support/test-chat.js';

/**
 * Any use of Intl makes Node map ICU's data (7–8 MB resident), so an idle bot must not touch it: this counts
 * every Intl constructor and every locale-sensitive method while a bot with the default schedules and
 * maintenance windows without a time zone starts, ticks through a day and answers /maint health. Only text
 * that names this machine's zone to someone (a window's post, /maint schedules) may read it.
 */
const uses = new Map<string, number>();
const restore: (() => void)[] = [];

function count(name: string): void {
  uses.set(name, (uses.get(name) ?? 0) + 1);
}

function watchIntl(): void {
  const intl = Intl as unknown as Record<string, unknown>;
  for (const name of Object.getOwnPropertyNames(Intl)) {
    const original = intl[name];
    if (typeof original !== 'function') continue;
    intl[name] = new Proxy(original, {
      construct: (target, args, newTarget) => (count(`Intl.${name}`), Reflect.construct(target, args, newTarget)),
      apply: (target, self, args) => (count(`Intl.${name}`), Reflect.apply(target, self, args)),
    });
    restore.push(() => (intl[name] = original));
  }
  const methods: [object, string][] = [
    [Number.prototype, 'toLocaleString'],
    [BigInt.prototype, 'toLocaleString'],
    [Array.prototype, 'toLocaleString'],
    [Date.prototype, 'toLocaleString'],
    [Date.prototype, 'toLocaleDateString'],
    [Date.prototype, 'toLocaleTimeString'],
    [String.prototype, 'localeCompare'],
    [String.prototype, 'toLocaleUpperCase'],
    [String.prototype, 'toLocaleLowerCase'],
  ];
  for (const [prototype, name] of methods) {
    const holder = prototype as Record<string, unknown>;
    const original = holder[name] as (...args: unknown[]) => unknown;
    const owner = prototype === Number.prototype ? 'Number' : prototype === BigInt.prototype ? 'BigInt' : prototype === Array.prototype ? 'Array' : prototype === Date.prototype ? 'Date' : 'String';
    holder[name] = function (this: unknown, ...args: unknown[]) {
      count(`${owner}#${name}`);
      return original.apply(this, args);
    };
    restore.push(() => (holder[name] = original));
  }
}

const logger = createLogger({ level: 'silent', pretty: false });
const olga = person('olga', ['operator']);
let dir: string;
let app: App | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'maintbot-idle-intl-'));
});

afterEach(async () => {
  await app?.close();
  app = undefined;
  vi.useRealTimers();
  restore.splice(0).reverse().forEach((undo) => undo());
  uses.clear();
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const terminal = [{ platform: 'console' as const, id: 'terminal' }];

async function startBot(windows: unknown[]): Promise<{ app: App; chat: TestChat }> {
  const config = configSchema.parse({ audit: { file: join(dir, 'audit.jsonl') }, maintenance_windows: windows });
  const started = await buildApp(config, logger);
  app = started;
  const chat = new TestChat(() => started.router);
  started.outbound.connect(chat.port);
  await started.scheduler.start();
  started.escalator.start();
  return { app: started, chat };
}

const notices = (chat: TestChat) => [...chat.messages.values()].map((versions) => versions.at(-1)!).flatMap((message) => (message.kind === 'notice' ? [message.text] : []));

describe('an idle bot with local-time schedules', () => {
  it('constructs no Intl object and calls no locale method while it starts, ticks for a day and answers /maint health', async () => {
    vi.useFakeTimers({ now: new Date(2026, 11, 1, 8, 50, 0), toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
    watchIntl();
    const { app: bot, chat } = await startBot([
      { name: 'open-at-start', cron: '45 8 * * *', duration: '30m', matchers: ['host=db-host'] },
      { name: 'weekly', cron: '0 2 * * 0', duration: '1h', matchers: ['host=db-host'], channels: terminal },
    ]);

    const windowEdges = async (day: number) => {
      const opened = new Date(2026, 11, day, 8, 45).getTime();
      return [await bot.store.get(windowPostKey('open-at-start', opened, 'started')), await bot.store.get(windowPostKey('open-at-start', opened, 'ended'))].map(Boolean);
    };
    await vi.advanceTimersByTimeAsync(30 * 60_000);
    expect(await windowEdges(1)).toEqual([true, true]);
    await vi.advanceTimersByTimeAsync(24.5 * 3_600_000);
    expect(await windowEdges(2)).toEqual([true, true]);
    const health = await chat.type(olga, 'health');

    const lastRun = async (name: string) => (await bot.store.get<{ tick: string }>(`schedule:${name}:last`))?.tick;
    expect(await lastRun('health-alerts')).toBe(new Date(2026, 11, 2, 9, 50).toISOString());
    expect(await lastRun('morning-report')).toBe(new Date(2026, 11, 2, 9, 0).toISOString());
    expect(health.handles.map((handle) => chat.latest(handle).kind)).toEqual(['report']);
    expect(Object.fromEntries(uses)).toEqual({});
  });

  it('names this machine’s zone only in what it tells someone: a window’s post', async () => {
    vi.useFakeTimers({ now: new Date(2026, 11, 1, 8, 50, 0), toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
    const { chat } = await startBot([{ name: 'db-upgrade', cron: '0 9 * * *', duration: '1h', matchers: ['host=db-host'], channels: terminal }]);
    watchIntl();
    await vi.advanceTimersByTimeAsync(15 * 60_000);
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    expect(notices(chat)).toEqual([`Maintenance window db-upgrade started: alerts matching host=db-host are silenced until 10:00 (${zone}).`]);
    expect(uses.get('Intl.DateTimeFormat')).toBeGreaterThan(0);
  });

  it('groups counts without a locale call', () => {
    watchIntl();
    expect([0, 7, 999, 1000, 4096, 1_000_000, 1234567.8912, -98765].map(formatCount)).toEqual(['0', '7', '999', '1,000', '4,096', '1,000,000', '1,234,567.891', '-98,765']);
    expect(Object.fromEntries(uses)).toEqual({});
  });
});
