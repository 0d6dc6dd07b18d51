import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../../scripts/build.mjs';
import { repoRoot } from '../support/run-bot.js';
import { createOwnDatabase, startOwnRedis } from '../support/services.js';
import { useTempDir } from '../support/temp.js';

const run = promisify(execFile);

/** Every library the compiled bot could load that only some configurations need. */
const optional = ['@slack/bolt', 'discord.js', 'pg', 'ioredis', 'dockerode', 'mysql2', '@kubernetes/client-node', 'prom-client', 'pino-pretty'];

describe('the compiled bot loads a library only for what is configured', () => {
  const tempDir = useTempDir();
  beforeAll(() => ensureBuilt(repoRoot), 600_000);

  /** Runs `node dist/main.js` on `config` with `lines` typed, and returns its answers and the optional packages it loaded. */
  async function loadedBy(name: string, config: string, lines: string[]): Promise<{ stdout: string; loaded: string[] }> {
    const dir = await tempDir();
    const record = join(dir, `${name}.packages`);
    const configPath = join(dir, `${name}.yaml`);
    await writeFile(record, '');
    await writeFile(configPath, `${config}\naudit:\n  file: ${join(dir, 'audit.jsonl')}\n`);
    const child = run(process.execPath, ['--import', join(repoRoot, 'test/support/record-packages.mjs'), join(repoRoot, 'dist/main.js'), '--config', configPath], {
      cwd: repoRoot,
      env: { ...process.env, MAINTBOT_RECORD_PACKAGES: record, NO_COLOR: '1' },
    });
    child.child.stdin!.end(lines.map((line) => `${line}\n`).join(''));
    const { stdout } = await child;
    const packages = new Set((await readFile(record, 'utf8')).split('\n'));
    return { stdout, loaded: optional.filter((library) => packages.has(library)) };
  }

  it('answers health in the terminal chat with a host target without loading a chat library or any client', async () => {
    const { stdout, loaded } = await loadedBy('host-only', 'chat:\n  console:\n    enabled: on\ntargets:\n  host:\n    name: box\n    mounts: ["/"]', ['health', 'help', 'quit']);
    expect(stdout).toContain('box (host)');
    expect(stdout).toContain('maintbot commands');
    expect(loaded).toEqual([]);
  });

  it('loads pg and ioredis once health talks to a PostgreSQL and a Redis target, and nothing else', async () => {
    const [database, redis] = await Promise.all([createOwnDatabase('lazy_clients'), startOwnRedis()]);
    try {
      const config = `chat:\n  console:\n    enabled: on\ntargets:\n  postgres:\n    - name: pg-main\n      url: ${database.url}\n  redis:\n    - name: cache\n      url: ${redis.url}`;
      const { stdout, loaded } = await loadedBy('pg-redis', config, ['health', 'quit']);
      expect(stdout).toContain('pg-main (postgres)');
      expect(stdout).toContain('cache (redis)');
      expect(loaded).toEqual(['pg', 'ioredis']);
    } finally {
      await Promise.all([database.drop(), redis.stop()]);
    }
  });
});
