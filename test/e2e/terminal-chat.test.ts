import { describe, expect, it } from 'vitest';
import { runNpmStart } from '../support/run-bot.js';
import { useTempDir, writeText } from '../support/temp.js';

const tempDir = useTempDir();

describe('npm start with piped standard input (the terminal chat)', () => {
  it('says it is the terminal chat, prints the help and exits 0 at end of input', async () => {
    const run = await runNpmStart(['/maint help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('no Slack or Discord credentials, so this is the terminal chat on config/default.yaml');
    expect(run.stdout).toMatch(/^\s+health\s+One health report over every configured target/m);
    expect(run.stdout).toMatch(/^\s+help\s+List the commands/m);
    expect(run.stderr).not.toMatch(/at .*\.ts:\d+/);
  });

  it('answers a typo with a suggestion and goes on with the next command', async () => {
    const run = await runNpmStart(['/maint helth', 'help health']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Unknown command 'helth'. Did you mean 'health'? Try /maint help.");
    expect(run.stdout).toContain('Usage: /maint health [target] [--verbose]');
  });

  it('reports the real local PostgreSQL and Redis in /maint health on the default config', async () => {
    const run = await runNpmStart(['/maint health --verbose']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/[✔▲] local-postgres \(postgres\)/);
    expect(run.stdout).toMatch(/PostgreSQL \d+\.\d+/);
    expect(run.stdout).toMatch(/[✔▲] local-redis \(redis\)/);
    expect(run.stdout).toMatch(/Redis \d+\.\d+\.\d+/);
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
