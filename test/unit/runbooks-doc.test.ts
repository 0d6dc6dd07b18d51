import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { configSchema } from '../../src/config/schema.js';
import { createLogger } from '../../src/logging/logger.js';
import { useTempDir } from '../support/temp.js';

const tempDir = useTempDir();

describe('docs/RUNBOOKS.md', () => {
  it('lists every registered action with each output it declares', async () => {
    const config = configSchema.parse({ chat: { console: { enabled: 'off' } }, audit: { file: join(await tempDir(), 'audit.jsonl') } });
    const app = await buildApp(config, createLogger({ level: 'silent', pretty: false }));
    await app.close();
    const doc = await readFile(new URL('../../docs/RUNBOOKS.md', import.meta.url), 'utf8');
    const rows = doc.split('\n');
    expect(app.actions.names()).toEqual(expect.arrayContaining(['http.check', 'wait.until', 'health.check', 'notify', 'docker.status', 'docker.logs']));
    for (const name of app.actions.names()) {
      const row = rows.find((line) => line.startsWith(`| \`${name}\` |`));
      expect(row, `a row for ${name}`).toBeDefined();
      for (const output of Object.keys(app.actions.get(name)?.outputs ?? {})) expect(row, `${name} output ${output}`).toContain(`\`${output}\``);
    }
  });
});
