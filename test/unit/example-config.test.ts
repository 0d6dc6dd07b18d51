import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { projectRoot } from '../../src/config/load.js';

describe('config/example.yaml', () => {
  it('is a valid config that shows every top-level section', async () => {
    const config = await loadConfig(`${projectRoot}/config/example.yaml`, { SLACK_BOT_TOKEN: 'xoxb-1', DISCORD_TOKEN: 'a.b.c', DISCORD_APPLICATION_ID: '42' });
    expect(config.targets.postgres[0]?.name).toBe('main-db');
    expect(config.targets.mysql[0]).toMatchObject({ name: 'appointments-db', backup: { restore_test: { checks: [{ name: 'appointments not empty' }] } } });
    expect(config.approvals.rules.restore?.required).toBe(2);
    const shown = Object.keys(config).sort();
    const text = await import('node:fs/promises').then((fs) => fs.readFile(`${projectRoot}/config/example.yaml`, 'utf8'));
    for (const key of shown) expect(text).toMatch(new RegExp(`^${key}:`, 'm'));
  });
});
