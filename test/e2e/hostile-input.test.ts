import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userText, withoutControls } from '../../src/core/user-text.js';
import { hostileInputs, injectionMarker } from '../support/hostile-inputs.js';
import { runNpmStart, type BotRun } from '../support/run-bot.js';
import { startOwnPostgres, type OwnPostgres } from '../support/services.js';
import { writeText } from '../support/temp.js';

const seed = Number(process.env.MAINTBOT_FUZZ_SEED ?? Date.now() % 1_000_000);
const inputCount = 320;
const endOf = (index: number): string => `zz-fuzz-end-${index}`;
const endLine = /^✖ Unknown command 'zz-fuzz-end-(\d+)'\. Try \/maint help\.$/gm;

let dir: string;
let postgres: OwnPostgres;
let db: pg.Client;
let markerDir: string;
let auditFile: string;
let inputs: string[];
let run: BotRun;
let canaryBefore: string;

/** Every row and every table of the fuzz database, as one text to compare. */
async function canaryState(): Promise<string> {
  const { rows } = await db.query<{ state: string }>(
    `select (select string_agg(id || ':' || secret, ',' order by id) from canary)
         || ' | ' || (select string_agg(relname, ',' order by relname) from pg_class where relnamespace = 'public'::regnamespace) as state`,
  );
  return rows[0]!.state;
}

/** What the bot answered to each input: the output between the end markers that follow the inputs. */
function answers(stdout: string): string[] {
  const found: string[] = [];
  let start = 0;
  for (const match of stdout.matchAll(endLine)) {
    found[Number(match[1])] = stdout.slice(start, match.index);
    start = match.index + match[0].length + 1;
  }
  return found;
}

/** The most of one input an answer may repeat: an echo of 80 characters, and the space or quote on either side of it that the input may share. */
const longestEcho = 82;

/** The start of each stretch of `input` just over `longestEcho` beginning at a word or at the start: where an echo would begin. */
function echoProbes(input: string): string[] {
  if (input.length <= longestEcho) return [];
  const starts = [0, ...[...input.slice(0, 20_000).matchAll(/[\s"'=]+/g)].map((match) => match.index + match[0].length)];
  return [...new Set(starts.map((start) => input.slice(start, start + longestEcho + 1)).filter((probe) => probe.length > longestEcho))];
}

/** A run of `input` in `text` longer than `longestEcho`, if there is one. */
function echoedRun(text: string, input: string): string | undefined {
  if (input.length <= longestEcho) return undefined;
  for (let index = 0; index + longestEcho < text.length; index++) {
    const window = text.slice(index, index + longestEcho + 1);
    if (input.includes(window)) return window;
  }
  return undefined;
}

/** The statements the server logged (`statement:`, `execute …:`, `STATEMENT:`), each with its continuation lines; bound parameters are logged apart. */
function loggedStatements(log: string): string[] {
  const entries: string[] = [];
  for (const line of log.split('\n')) {
    const head = /^\d{4}-\d\d-\d\d [\d:.]+ \w+ \[\d+\] (?:LOG: {2}(?:statement|execute [^:]*): |STATEMENT: {2})(.*)$/.exec(line);
    if (head) entries.push(head[1]!);
    else if (/^\d{4}-\d\d-\d\d /.test(line)) entries.push('');
    else if (entries.length > 0) entries[entries.length - 1] += `\n${line}`;
  }
  return entries.filter((entry) => entry !== '');
}

/** The bot's log records (JSON lines on standard error). */
const logRecords = (): unknown[] => run.stderr.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as unknown);

/** Every text inside a log record, as it was before JSON escaped it. */
function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (value === null || typeof value !== 'object') return [];
  return Object.values(value).flatMap(stringsIn);
}

/** Each input followed by its end marker, as typed. */
const sentLines = (): string[] => inputs.flatMap((input, index) => [input, endOf(index)]);

const failing = (index: number): string => `seed ${seed}, input ${index}: ${JSON.stringify(inputs[index]!.slice(0, 300))}${inputs[index]!.length > 300 ? ` (${inputs[index]!.length} characters)` : ''}`;

beforeAll(async () => {
  postgres = await startOwnPostgres({ log_statement: 'all' });
  const admin = new pg.Client(postgres.url());
  await admin.connect();
  await admin.query('CREATE DATABASE fuzz');
  await admin.end();
  db = new pg.Client(postgres.url('fuzz'));
  await db.connect();
  await db.query(`CREATE TABLE canary (id int primary key, secret text); INSERT INTO canary SELECT g, md5(g::text) FROM generate_series(1, 100) g;
                  CREATE TABLE orders (id int primary key, note text); INSERT INTO orders SELECT g, 'n' FROM generate_series(1, 100) g`);
  canaryBefore = await canaryState();

  dir = await mkdtemp(join(tmpdir(), 'maintbot-fuzz-'));
  markerDir = join(dir, 'markers');
  auditFile = join(dir, 'audit.jsonl');
  await mkdir(markerDir);
  await writeText(markerDir, '.keep', '');
  const config = await writeText(
    dir,
    'fuzz.yaml',
    [
      'log: { level: debug, format: json }',
      'chat: { console: { enabled: on, roles: [admin] } }',
      `audit: { file: ${JSON.stringify(auditFile)} }`,
      'schedules: []',
      'rate_limits: { enabled: false }',
      'targets:',
      '  host: { name: fuzz-host }',
      '  postgres:',
      `    - { name: fuzz-pg, url: ${JSON.stringify(postgres.url('fuzz'))}, databases: [fuzz] }`,
    ].join('\n'),
  );
  inputs = [
    ...hostileInputs(seed, inputCount, { markerDir, megabyteLines: 3 }),
    `vacuum "x'; DROP TABLE canary; --${injectionMarker}" --target fuzz-pg`,
  ];
  console.log(`hostile-input fuzz: seed ${seed} (MAINTBOT_FUZZ_SEED=${seed} repeats it), ${inputs.length} inputs, ${inputs.reduce((sum, input) => sum + input.length, 0).toLocaleString('en')} characters`);
  run = await runNpmStart(
    sentLines(),
    { args: ['--config', config], timeoutMs: 150_000 },
  );
}, 180_000);

afterAll(async () => {
  await db?.end();
  await postgres?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe(`${inputCount} generated hostile inputs through the terminal chat`, () => {
  it('answers every one and exits 0, with no stack trace and no error-level log line', () => {
    expect(run.code, run.stderr.slice(-2000)).toBe(0);
    expect(answers(run.stdout).filter((answer) => answer !== undefined)).toHaveLength(inputs.length);
    expect(run.stdout).not.toMatch(/\n\s+at .+:\d+:\d+/);
    expect(run.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
    const records = logRecords() as Array<{ level: string; msg: string }>;
    const commands = inputs.filter((input) => input.trim() !== '' && !input.trim().startsWith('#'));
    expect(records.filter((record) => record.msg === 'command received')).toHaveLength(commands.length + inputs.length);
    expect(records.filter((record) => record.level === 'error' || record.level === 'fatal')).toEqual([]);
  });

  it('echoes at most 80 characters of any input in each answer and in the log, cut with an ellipsis', () => {
    const logged = logRecords().flatMap(stringsIn).join('\n');
    answers(run.stdout).forEach((answer, index) => {
      expect(echoedRun(answer, inputs[index]!), failing(index)).toBeUndefined();
      for (const probe of echoProbes(inputs[index]!)) expect(logged.includes(probe), `${failing(index)} is in the log`).toBe(false);
    });
  });

  it('keeps in the audit file each command it read, with its controls escaped, and only 80 characters of a line too long to read', async () => {
    const recorded = (await readFile(auditFile, 'utf8'))
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as { kind: string; command?: string })
      .filter((event) => event.kind === 'command')
      .map((event) => event.command!);
    const sent = sentLines().filter((line) => line.trim() !== '' && !line.trim().startsWith('#'));
    expect(recorded).toHaveLength(sent.length);
    sent.forEach((line, index) => {
      const text = line.trim().replace(/^\/maint\b\s*/, '');
      const expected = Buffer.byteLength(text) > 4096 ? userText(text) : withoutControls(text);
      expect(recorded[index], `seed ${seed}: ${JSON.stringify(line.slice(0, 200))}`).toBe(expected);
    });
  });

  it('never prints a raw control or direction character: the terminal cannot be coloured or reordered', () => {
    // eslint-disable-next-line no-control-regex -- looking for control characters is the point
    const raw = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/u;
    answers(run.stdout).forEach((answer, index) => {
      expect(raw.exec(answer)?.[0], failing(index)).toBeUndefined();
    });
  });

  it('leaves the canary intact, and PostgreSQL ran no statement with injected text outside quoted identifiers', async () => {
    expect(await canaryState()).toBe(canaryBefore);
    const log = await postgres.log();
    const statements = loggedStatements(log);
    expect(log.split('\n').some((line) => / DETAIL: {2}parameters: .*FUZZINJ/.test(line)), 'some injected text reached PostgreSQL, as a bound parameter').toBe(true);
    const outsideQuotedIdentifiers = statements.map((statement) => statement.replace(/"(?:[^"]|"")*"/g, '""'));
    expect(outsideQuotedIdentifiers.filter((statement) => statement.includes(injectionMarker) || /\b(drop|delete|truncate|update)\b/i.test(statement))).toEqual([]);
  });

  it('created no file through shell metacharacters', async () => {
    expect(await readdir(markerDir)).toEqual(['.keep']);
  });
});
