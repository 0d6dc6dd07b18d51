import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runNpmStart } from '../support/run-bot.js';
import { mariadbQuery, startOwnMariadb, type OwnMariadb } from '../support/services.js';
import { useTempDir, writeText } from '../support/temp.js';

const tempDir = useTempDir();
const password = 'appointments-secret';
let server: OwnMariadb;
const connections: mysql.Connection[] = [];

beforeAll(async () => {
  server = await startOwnMariadb(['max-connections=10']);
  await mariadbQuery(server.server, `CREATE USER 'maintbot'@'127.0.0.1' IDENTIFIED BY '${password}'; GRANT PROCESS, SELECT, SLAVE MONITOR ON *.* TO 'maintbot'@'127.0.0.1'`);
  for (let i = 0; i < 7; i++) connections.push(await mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'root', database: 'test' }));
});

afterAll(async () => {
  for (const connection of connections) connection.destroy();
  await server?.stop();
});

describe('a MySQL target in the terminal chat', () => {
  it('shows /maint health for the MySQL target with the same layout as the other targets', async () => {
    const config = await writeText(
      await tempDir(),
      'mysql.yaml',
      ['targets:', '  mysql:', '    - name: appointments-db', `      url: mysql://maintbot:\${APPOINTMENTS_DB_PASSWORD}@127.0.0.1:${server.port}/test`, ''].join('\n'),
    );
    const run = await runNpmStart(['/maint health', '/maint health appointments-db --verbose'], { args: ['--config', config], env: { APPOINTMENTS_DB_PASSWORD: password } });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^▲ appointments-db \(mysql\)$/m);
    expect(run.stdout).toMatch(/^ {2}▲ connections {2,}8 of 10 \(80 %\) {2,}\(warn at 80 %, crit at 95 %\)$/m);
    expect(run.stdout).toMatch(/^ {6}new clients get "Too many connections" once 10 are in use/m);
    expect(run.stdout).toMatch(/^ {2}✔ \d+ more ok \(--verbose shows them\)$/m);
    expect(run.stdout).toMatch(/^ {2}✔ server {2,}MariaDB 10\.\d+\.\d+, read-write, up \d+ s$/m);
    expect(run.stdout).toMatch(/^ {2}✔ replication {2,}not a replica$/m);
    expect(run.stdout).toMatch(/^ {2}✔ long-running queries {2,}none {2,}\(warn at 5 s, crit at 5 min\)$/m);
    expect(run.stdout).not.toContain(password);
  });
});
