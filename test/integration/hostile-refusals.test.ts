import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import { configSchema } from '../../src/config/schema.js';
import type { Message, Notice } from '../../src/core/report.js';
import { createLogger } from '../../src/logging/logger.js';
import { renderText } from '../../src/render/text.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { MemoryAudit } from '../support/memory-audit.js';
import { createOwnDatabase, type OwnDatabase } from '../support/services.js';
import { person, TestChat } from '../support/test-chat.js';

const alice = person('alice', ['operator']);
let database: OwnDatabase;
let app: App;
let chat: TestChat;
let audit: MemoryAudit;

beforeAll(async () => {
  database = await createOwnDatabase('maintbot_hostile');
  const client = new pg.Client(database.url);
  await client.connect();
  await client.query('CREATE TABLE orders (id int primary key)');
  await client.end();
  const config = configSchema.parse({
    targets: { postgres: [{ name: 'shop-db', url: database.url, databases: [database.name, 'reports'] }] },
    schedules: [],
  });
  audit = new MemoryAudit();
  app = await buildApp(config, createLogger({ level: 'silent', pretty: false }), { store: new MemoryStore(), audit });
  chat = new TestChat(() => app.router);
  app.outbound.connect(chat.port);
});

afterAll(async () => {
  await app?.close();
  await database?.drop();
});

/** Types `text` as alice and returns the one private answer it got; nothing may have been posted in the channel. */
async function refusal(text: string, outcome = 'invalid'): Promise<Notice> {
  const postedBefore = chat.messages.size;
  const answeredBefore = chat.privateAnswers.get(alice.id)?.length ?? 0;
  expect(await chat.type(alice, text)).toEqual({ outcome, handles: [] });
  expect(chat.messages.size).toBe(postedBefore);
  const answers = chat.privateAnswers.get(alice.id)!.slice(answeredBefore);
  expect(answers).toHaveLength(1);
  const answer = answers[0]!;
  expect(answer).toMatchObject({ kind: 'notice', tone: 'error' });
  return answer as Notice;
}

const vacuumUsage = 'Usage: /maint vacuum <table> [--database DATABASE] [--target TARGET] [--full] [--no-analyze] [--allow-system]';

describe('hostile arguments are refused privately, at parse time, with the usage line', () => {
  it('a NUL in a table name names the argument and shows it escaped; nothing reaches PostgreSQL', async () => {
    const answer = await refusal('vacuum "orders\u0000"');
    expect(answer.text).toBe(
      "Wrong arguments for 'vacuum': table contains the control or direction character \\u0000, which no name or value may hold (got 'orders\\u0000').",
    );
    expect(answer.preformatted).toBe(vacuumUsage);
    expect(audit.events.filter((event) => event.kind === 'step')).toEqual([]);
  });

  it('a right-to-left override in --target and an ANSI escape in an approval id come back escaped', async () => {
    expect((await refusal('vacuum orders --target "shop\u202Edb"')).text).toContain("--target contains the control or direction character \\u202E, which no name or value may hold (got 'shop\\u202Edb')");
    const approve = await refusal('approve "\u001b[31mred"');
    expect(approve.text).toContain("id contains the control or direction character \\u001B, which no name or value may hold (got '\\u001B[31mred')");
    expect(approve.preformatted).toBe('Usage: /maint approve <id>');
  });

  it('a table name over 63 bytes, the PostgreSQL limit', async () => {
    const answer = await refusal(`vacuum ${'t'.repeat(64)}`);
    expect(answer.text).toBe(`Wrong arguments for 'vacuum': table is longer than 63 bytes, the longest name the system allows (got '${'t'.repeat(64)}').`);
    expect(answer.preformatted).toBe(vacuumUsage);
  });

  it('a duration outside 1 s … 365 d, before any step runs', async () => {
    const answer = await refusal('terminate-long-queries --older-than 99999999999d');
    expect(answer.text).toBe("Wrong arguments for 'terminate-long-queries': --older-than must be between 1s and 365d (got '99999999999d').");
    expect(answer.preformatted).toContain('Usage: /maint terminate-long-queries');
  });

  it('a single-value option given twice', async () => {
    const answer = await refusal('vacuum orders --target a --target b');
    expect(answer.text).toBe("Wrong arguments for 'vacuum': --target is given more than once; give it once.");
    expect(answer.preformatted).toBe(vacuumUsage);
  });

  it('a command line over 4 KB, with a short message that echoes none of it', async () => {
    const answer = await refusal(`health ${'h'.repeat(100_000)}`);
    expect(answer.text).toBe("That command line is 100,007 bytes long; maintbot reads at most 4,096. Nothing was run.");
    expect(audit.events.at(-1)).toMatchObject({ kind: 'command', outcome: 'invalid', command: `health ${'h'.repeat(72)}…` });
  });

  it('an unknown command of 4,000 characters: the echo is cut to 80 with an ellipsis', async () => {
    const answer = await refusal(`${'x'.repeat(4000)}`);
    expect(answer.text).toBe(`Unknown command '${'x'.repeat(79)}…'. Try /maint help.`);
  });
});

describe('what a command names is refused privately before its runbook starts', () => {
  const text = (message: Message): string => renderText(message);

  it('--database outside the target\'s databases, listing the allowed ones', async () => {
    const answer = await refusal('vacuum orders --database postgres', 'refused');
    expect(answer.text).toBe(`Database "postgres" is not one of target shop-db's databases: ${database.name}, reports.`);
    expect(answer.preformatted).toContain('targets.postgres[].databases');
  });

  it('a table in pg_catalog without --allow-system', async () => {
    const answer = await refusal('vacuum pg_catalog.pg_authid', 'refused');
    expect(answer.text).toBe(
      "pg_catalog.pg_authid is in the system schema pg_catalog; maintbot leaves PostgreSQL's own tables alone unless you add --allow-system, and then a second person must approve.",
    );
    expect((await refusal('reindex --table information_schema.sql_features', 'refused')).text).toContain('is in the system schema information_schema');
  });

  it('with --allow-system, even a plain vacuum of a catalog posts an approval card that says why', async () => {
    const { outcome, handles } = await chat.type(alice, 'vacuum pg_catalog.pg_statistic --allow-system');
    expect(outcome).toBe('pending-approval');
    const card = text(chat.latest(handles[0]!));
    expect(card).toContain('SQL: VACUUM (ANALYZE) "pg_catalog"."pg_statistic"');
    expect(card).toContain("needs approval: --allow-system, and pg_catalog.pg_statistic is in the system schema pg_catalog, which every session's catalog lookups depend on");
    expect(card).toMatch(/Approve/);
  });
});
