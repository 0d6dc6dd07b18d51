import { createRequire } from 'node:module';
import { checkHealth } from '../../src/checks/runner.js';
import { configSchema } from '../../src/config/schema.js';
import { shippedSystems } from '../../src/systems/index.js';
import { SystemRegistry } from '../../src/systems/registry.js';

/**
 * Run as a script (`node --import tsx`): registers every system and checks health over a config without a
 * MySQL target, then with one (at `process.argv[2]`); prints whether the module cache held mysql2 after each.
 */
function loaded(): boolean {
  return Object.keys(createRequire(import.meta.url).cache).some((file) => file.includes('/node_modules/mysql2/'));
}

const withoutMysql = new SystemRegistry(shippedSystems, configSchema.parse({ targets: {} }).targets);
withoutMysql.actions();
await checkHealth(withoutMysql.probes(), { timeoutMs: 5000, verbose: true });
const before = loaded();
const withMysql = new SystemRegistry(shippedSystems, configSchema.parse({ targets: { mysql: [{ name: 'appointments-db', url: process.argv[2] }] } }).targets);
await checkHealth(withMysql.probes(), { timeoutMs: 5000, verbose: true });
process.stdout.write(`${JSON.stringify({ withoutMysqlTarget: before, withMysqlTarget: loaded() })}\n`);
