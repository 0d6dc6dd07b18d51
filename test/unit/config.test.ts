import { describe, expect, it } from 'vitest';
import { enabledChats } from '../../src/config/chat.js';
import { chooseConfigPath, defaultConfigPath, loadConfig } from '../../src/config/load.js';
import { ConfigError, formatProblem } from '../../src/config/problems.js';
import { useTempDir, writeText } from '../support/temp.js';

const tempDir = useTempDir();

async function problemsOf(text: string, env: NodeJS.ProcessEnv = {}): Promise<string[]> {
  const dir = await tempDir();
  const path = await writeText(dir, 'prod.yaml', text);
  try {
    await loadConfig(path, env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((problem) => formatProblem({ ...problem, file: 'prod.yaml' }));
    throw error;
  }
  throw new Error('expected the config to be refused');
}

describe('config validation', () => {
  it('lists a misspelt key, a wrong type and a missing variable with file, line and key path', async () => {
    const problems = await problemsOf(
      [
        'log:',
        '  levle: debug',
        'health:',
        '  timeout_ms: soon',
        'store:',
        '  redis_url: ${MAINTBOT_TEST_UNSET_REDIS}',
      ].join('\n'),
    );
    expect(problems).toEqual([
      "prod.yaml:2 log.levle: unknown key 'levle' (did you mean 'level'?)",
      expect.stringMatching(/^prod\.yaml:4 health\.timeout_ms: .*expected number/),
      'prod.yaml:6 store.redis_url: environment variable MAINTBOT_TEST_UNSET_REDIS is not set (export MAINTBOT_TEST_UNSET_REDIS=… or use ${MAINTBOT_TEST_UNSET_REDIS:-default})',
    ]);
  });

  it('names the exact list item whose value is wrong', async () => {
    const problems = await problemsOf(['targets:', '  postgres:', '    - name: main-db', '      url: mysql://db/app'].join('\n'));
    expect(problems).toEqual(['prod.yaml:4 targets.postgres[0].url: expected a postgres:// URL']);
  });

  it('reports YAML syntax errors with their line', async () => {
    const problems = await problemsOf('log:\n  level: [info\n');
    expect(problems[0]).toMatch(/^prod\.yaml:\d+: YAML syntax: /);
  });

  it('expands ${NAME} and ${NAME:-default} from the environment', async () => {
    const dir = await tempDir();
    const path = await writeText(dir, 'c.yaml', 'store:\n  redis_url: redis://${HOST:-127.0.0.1}:${PORT}\n');
    const config = await loadConfig(path, { PORT: '6380' });
    expect(config.store.redis_url).toBe('redis://127.0.0.1:6380');
  });

  it('reads the conventional variables directly, the file winning over them', async () => {
    const dir = await tempDir();
    const path = await writeText(dir, 'c.yaml', 'chat:\n  discord:\n    api_url: http://127.0.0.1:9/api\n');
    const config = await loadConfig(path, {
      SLACK_BOT_TOKEN: 'xoxb-1',
      SLACK_APP_TOKEN: 'xapp-1',
      DISCORD_API_URL: 'http://ignored/api',
      REDIS_URL: 'redis://127.0.0.1:6379',
      DATABASE_URL: 'postgres://127.0.0.1/maint',
    });
    expect(config.chat.slack.bot_token).toBe('xoxb-1');
    expect(config.chat.discord.api_url).toBe('http://127.0.0.1:9/api');
    expect(config.store.redis_url).toBe('redis://127.0.0.1:6379');
    expect(config.audit.database_url).toBe('postgres://127.0.0.1/maint');
    expect(enabledChats(config)).toEqual({ slack: true, discord: false, console: false });
  });

  it('opens the terminal chat when no chat credentials are set', async () => {
    const config = await loadConfig(defaultConfigPath, {});
    expect(enabledChats(config)).toEqual({ slack: false, discord: false, console: true });
  });

  it('says which file is missing', async () => {
    await expect(loadConfig('/nonexistent/maintbot.yaml', {})).rejects.toThrowError(/maintbot\.yaml: file not found/);
  });

  it('takes --config over MAINTBOT_CONFIG over the embedded default', () => {
    expect(chooseConfigPath('/a.yaml', { MAINTBOT_CONFIG: '/b.yaml' })).toBe('/a.yaml');
    expect(chooseConfigPath(undefined, { MAINTBOT_CONFIG: '/b.yaml' })).toBe('/b.yaml');
    expect(chooseConfigPath(undefined, {})).toBe(defaultConfigPath);
  });
});
