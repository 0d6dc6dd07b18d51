import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { register } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Run as a script (`node --import tsx kubernetes-client-loaded.ts`): builds the bot and runs a health check
 * without a Kubernetes target, then with one; prints, as JSON, whether @kubernetes/client-node had been
 * resolved after each step (a resolve hook records it).
 */
const dir = await mkdtemp(join(tmpdir(), 'maintbot-k8s-loaded-'));
const record = join(dir, 'resolved.txt');
register('./record-imports.mjs', import.meta.url, { data: { file: record } });
const loaded = () => existsSync(record) && readFileSync(record, 'utf8').length > 0;

const { buildApp } = await import('../../src/app.js');
const { configSchema } = await import('../../src/config/schema.js');
const { createLogger } = await import('../../src/logging/logger.js');
const { checkHealth } = await import('../../src/checks/runner.js');
const logger = createLogger({ level: 'silent', pretty: false });

async function healthOf(targets: Record<string, unknown>): Promise<{ afterBuild: boolean; afterHealth: boolean; checked: string[] }> {
  const config = configSchema.parse({ audit: { file: join(dir, 'audit.jsonl') }, targets });
  const app = await buildApp(config, logger);
  const afterBuild = loaded();
  const { findings } = await checkHealth(app.systems.probes(), { timeoutMs: 5000, verbose: true });
  const afterHealth = loaded();
  await app.close();
  return { afterBuild, afterHealth, checked: [...new Set(findings.map((finding) => finding.system))].sort() };
}

const withoutKubernetes = await healthOf({ host: { name: 'vm' } });
const withKubernetes = await healthOf({ kubernetes: [{ name: 'cluster', kubeconfig: join(dir, 'no-such-kubeconfig') }] });
await rm(dir, { recursive: true, force: true });
process.stdout.write(`${JSON.stringify({ withoutKubernetes, withKubernetes })}\n`);
