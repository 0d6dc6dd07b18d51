import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/config/load.js';

const eslint = new ESLint({ cwd: projectRoot });

/** The messages of the import-boundary rule for one import in a file at `filePath`. */
async function boundaryMessages(filePath: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(`import { thing } from '${source}';\nexport { thing };\n`, { filePath });
  return result!.messages.filter((message) => message.ruleId === 'no-restricted-imports').map((message) => message.message);
}

describe('the ESLint config keeps the import boundaries of src/', () => {
  it.each([
    ['src/systems/docker/actions.ts', '../postgres/connection.js', /only through an interface in src\/core/],
    ['src/systems/postgres/backup/restore.ts', '../../docker/engine.js', /only through an interface in src\/core/],
    ['src/systems/postgres/backup/restore.ts', '../../../systems/docker/engine.js', /only through an interface in src\/core/],
    ['src/systems/redis/probe.ts', '../index.js', /only through an interface in src\/core/],
    ['src/engine/engine.ts', '@slack/bolt', /Only src\/chat\/ may import a chat platform library/],
    ['src/approvals/approval-service.ts', '@slack/web-api', /Only src\/chat\/ may import a chat platform library/],
    ['src/systems/docker/actions.ts', 'discord.js', /Only src\/chat\/ may import a chat platform library/],
    ['src/outbound/registry.ts', '@discordjs/rest', /Only src\/chat\/ may import a chat platform library/],
    ['src/alerts/alert-desk.ts', 'pg', /Only src\/systems\/postgres\/ and src\/audit\/ may import pg/],
    ['src/systems/redis/probe.ts', 'pg', /may import pg/],
    ['src/chat/slack/slack-chat.ts', 'pg', /may import pg/],
    ['src/systems/postgres/probe.ts', 'ioredis', /Only src\/systems\/redis\/ and src\/store\/ may import ioredis/],
    ['src/audit/postgres-audit-trail.ts', 'ioredis', /may import ioredis/],
    ['src/store/redis-store.ts', 'dockerode', /Only src\/systems\/docker\/ may import dockerode/],
    ['src/systems/postgres/probe.ts', 'mysql2', /Only src\/systems\/mysql\/ may import mysql2/],
    ['src/checks/runner.ts', 'mysql2/promise', /Only src\/systems\/mysql\/ may import mysql2/],
    ['src/systems/mysql/probe.ts', '../postgres/connection.js', /only through an interface in src\/core/],
    ['src/systems/docker/engine.ts', '@kubernetes/client-node', /Only src\/systems\/kubernetes\/ may import @kubernetes\/client-node/],
    ['src/checks/runner.ts', '@kubernetes/client-node', /Only src\/systems\/kubernetes\/ may import @kubernetes\/client-node/],
    ['src/chat/slack/slack-chat.ts', '@kubernetes/client-node/dist/gen/models/ObjectSerializer.js', /Only src\/systems\/kubernetes\/ may import @kubernetes\/client-node/],
    ['src/systems/kubernetes/cluster.ts', '../docker/engine.js', /only through an interface in src\/core/],
  ])('refuses %s importing %s', async (filePath, source, message) => {
    const messages = await boundaryMessages(filePath, source);
    expect(messages).toEqual([expect.stringMatching(message)]);
  });

  it.each([
    ['src/systems/postgres/backup/restore.ts', '../connection.js'],
    ['src/systems/postgres/backup/restore.ts', '../../../core/errors.js'],
    ['src/systems/docker/actions.ts', '../../core/system.js'],
    ['src/systems/docker/actions.ts', 'dockerode'],
    ['src/systems/postgres/actions/session.ts', 'pg'],
    ['src/systems/redis/probe.ts', 'ioredis'],
    ['src/systems/mysql/driver.ts', 'mysql2/promise'],
    ['src/systems/kubernetes/cluster.ts', '@kubernetes/client-node'],
    ['src/systems/kubernetes/probes/pods.ts', '@kubernetes/client-node'],
    ['test/fakes/kubernetes/server.ts', '@kubernetes/client-node/dist/gen/models/ObjectSerializer.js'],
    ['src/systems/index.ts', './docker/index.js'],
    ['src/systems/registry.ts', './postgres/index.js'],
    ['src/chat/slack/slack-chat.ts', '@slack/bolt'],
    ['src/chat/discord/discord-chat.ts', 'discord.js'],
    ['src/chat/discord/chat-port.ts', '@discordjs/rest'],
    ['src/store/redis-store.ts', 'ioredis'],
    ['src/audit/postgres-audit-trail.ts', 'pg'],
    ['test/integration/approvals.test.ts', 'ioredis'],
  ])('allows %s importing %s', async (filePath, source) => {
    expect(await boundaryMessages(filePath, source)).toEqual([]);
  });
});
