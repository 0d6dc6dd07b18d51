import { readFile } from 'node:fs/promises';
import pg from 'pg';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, runNpmStart } from '../support/run-bot.js';
import { startOwnPostgres, startOwnRedis, type OwnPostgres, type OwnRedis } from '../support/services.js';
import { useTempDir, writeText } from '../support/temp.js';

const tempDir = useTempDir();
let postgres: OwnPostgres;
let redis: OwnRedis;

beforeAll(async () => {
  [postgres, redis] = await Promise.all([startOwnPostgres(), startOwnRedis()]);
});

afterAll(async () => {
  await Promise.all([postgres?.stop(), redis?.stop()]);
});

/** config/default.yaml with its local PostgreSQL and Redis moved to this file's own, idle servers. */
async function defaultConfigOnOwnServers(): Promise<string> {
  const shipped = await readFile(join(repoRoot, 'config', 'default.yaml'), 'utf8');
  const moved = shipped.replace('@127.0.0.1:5432/', `@127.0.0.1:${postgres.port}/`).replace('redis://127.0.0.1:6379', redis.url);
  expect(moved).not.toContain(':5432');
  expect(moved).not.toContain(':6379');
  return writeText(await tempDir(), 'default.yaml', moved);
}

describe('npm start with piped standard input (the terminal chat)', () => {
  it('says it is the terminal chat, prints the help and exits 0 at end of input', async () => {
    const run = await runNpmStart(['/maint help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('no Slack or Discord credentials, so this is the terminal chat on config/default.yaml');
    expect(run.stdout).toContain('maintbot commands. /maint help <command> explains one');
    expect(run.stdout).toMatch(/^\s+Status\s+audit, backups, health, runbooks$/m);
    expect(run.stdout).toMatch(/^\s+Containers\s+logs, restart, service-down, start, stop$/m);
    expect(run.stderr).not.toMatch(/at .*\.ts:\d+/);
  });

  it('answers a typo with a suggestion and goes on with the next command', async () => {
    const run = await runNpmStart(['/maint helth', 'help health']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Unknown command 'helth'. Did you mean 'health'? Try /maint help.");
    expect(run.stdout).toContain('Usage: /maint health [target] [--verbose]');
  });

  it('reports its own PostgreSQL and Redis in /maint health on the default config pointed at them', async () => {
    const config = await defaultConfigOnOwnServers();
    const run = await runNpmStart(['/maint health --verbose'], { args: ['--config', config], env: { PGUSER: 'postgres' } });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/✔ local-postgres \(postgres\)/);
    expect(run.stdout).toMatch(/PostgreSQL \d+\.\d+/);
    expect(run.stdout).toMatch(/✔ local-redis \(redis\)/);
    expect(run.stdout).toMatch(/Redis \d+\.\d+\.\d+/);
  });

  it('answers what a runbook would refuse before any step starts: no progress line, the reason and a did-you-mean', async () => {
    const config = await defaultConfigOnOwnServers();
    const db = new pg.Client(postgres.url());
    await db.connect();
    await db.query('CREATE TABLE IF NOT EXISTS orders (id int primary key)');
    await db.end();
    const run = await runNpmStart(['/maint health local-postgress', '/maint restart api', '/maint vacuum order', '/maint health local-redis'], {
      args: ['--config', config],
      env: { PGUSER: 'postgres' },
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('unknown target "local-postgress"; the configured targets are:');
    expect(run.stdout).toContain('did you mean `/maint health local-postgres`?');
    expect(run.stdout).toContain('No Docker target is configured.');
    expect(run.stdout).toContain('No table named "order" in database postgres on target local-postgres; tables with a similar name: orders.');
    expect(run.stdout).toMatch(/✔ local-redis \(redis\)/);
    expect(run.stdout.match(/: step 1 of 1/g)).toEqual([': step 1 of 1']);
  });

  it('refuses a config with a misspelt key, a wrong type and a missing variable: exit 2, all three listed, no stack trace', async () => {
    const dir = await tempDir();
    const path = await writeText(
      dir,
      'prod.yaml',
      ['chat:', '  console:', '    enabeld: on', 'health:', '  timeout_ms: fast', 'store:', '  redis_url: ${MAINTBOT_E2E_UNSET}'].join('\n'),
    );
    const run = await runNpmStart([], { args: ['--config', path] });
    expect(run.code).toBe(2);
    const shown = path.replace(/^\//, '');
    expect(run.stderr).toContain('cannot start, 3 problems in the configuration');
    expect(run.stderr).toMatch(new RegExp(`${shown}:3 chat\\.console\\.enabeld: unknown key 'enabeld' \\(did you mean 'enabled'\\?\\)`));
    expect(run.stderr).toMatch(new RegExp(`${shown}:5 health\\.timeout_ms: expected number`));
    expect(run.stderr).toMatch(new RegExp(`${shown}:7 store\\.redis_url: environment variable MAINTBOT_E2E_UNSET is not set`));
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('takes the config from MAINTBOT_CONFIG', async () => {
    const dir = await tempDir();
    const path = await writeText(dir, 'only-host.yaml', 'targets:\n  host:\n    name: box\n');
    const run = await runNpmStart(['/maint health --verbose'], { env: { MAINTBOT_CONFIG: path } });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('box (host)');
    expect(run.stdout).not.toContain('local-postgres');
  });
});
