import { describe, expect, it } from 'vitest';
import { maskSecrets } from '../../src/core/mask.js';
import { detectLevel } from '../../src/logs/levels.js';
import { normaliseMessage, summariseLogs } from '../../src/logs/summary.js';
import { keyPattern } from '../../src/systems/redis/key-patterns.js';
import { describeCommand } from '../../src/systems/redis/slowlog.js';

describe('log levels as common formats write them', () => {
  it.each([
    ['2024-05-01 10:00:00 ERROR db down', 'error'],
    ['[2024-05-01T10:00:00Z] CRITICAL disk full', 'critical'],
    ['FATAL: the database system is shutting down', 'fatal'],
    ['{"level":50,"msg":"boom"}', 'error'],
    ['{"level":"warn","msg":"slow"}', 'warn'],
    ['time=… level=info msg="started"', 'info'],
    ['2024/05/01 10:00:00 [error] 12#0: connect() failed', 'error'],
    ['DEBUG cache miss', 'debug'],
    ['W: WARNING: retrying', 'warn'],
  ])('%s is %s', (line, level) => {
    expect(detectLevel(line)).toBe(level);
  });

  it('does not count lower-case words in prose or parts of other words', () => {
    for (const line of ['finished with no error', 'ERRORS_TOTAL=0', 'informational', 'user info updated']) expect(detectLevel(line)).toBeUndefined();
  });
});

describe('repeated errors', () => {
  it('group once the time, the level word, ids, addresses and numbers are normalised', () => {
    expect(normaliseMessage('2024-05-01 10:00:01.123 ERROR request 7f3a9c2e1b4d failed for 10.0.0.7:5432 after 3 tries')).toBe('request <id> failed for <ip> after <n> tries');
    expect(normaliseMessage('ERROR job 0d8a7a4e-2b1f-4c3e-9a7b-5e6f7a8b9c0d took 12.5 s')).toBe('job <id> took <n> s');
    const summary = summariseLogs(
      ['ERROR timeout after 30 s', 'ERROR timeout after 45 s', 'WARN slow', 'ERROR disk full', 'hello'].map((text, index) => ({ text, stream: index === 2 ? 'stderr' : 'stdout', at: new Date(1_000 * index) })),
    );
    expect(summary).toMatchObject({ total: 5, unleveled: 1, stderr: 1, levels: { error: 3, warn: 1 }, first: new Date(0), last: new Date(4_000) });
    expect(summary.topErrors).toEqual([
      { message: 'timeout after <n> s', count: 2 },
      { message: 'disk full', count: 1 },
    ]);
  });
});

describe('secrets in log lines and commands', () => {
  it.each([
    ['connect postgres://app:s3cr3t@db:5432/app failed', 'connect postgres://app:***@db:5432/app failed'],
    ['token xoxb-1234-abcd used', 'token xox…*** used'],
    ['Authorization: Bearer eyJhbGciOi.abc.def', 'Authorization: Bearer ***'],
    ['login password=hunter2 user=bob', 'login password=*** user=bob'],
    ['{"password": "hunter2", "x":1}', '{"password": "***", "x":1}'],
    ['GET /x?api_key=ABC123&y=1', 'GET /x?api_key=***&y=1'],
    ['https://example.com/path has no secret', 'https://example.com/path has no secret'],
  ])('%s', (line, masked) => {
    expect(maskSecrets(line)).toBe(masked);
  });

  it('hides the passwords of AUTH, HELLO and CONFIG SET in slow-log commands', () => {
    expect(describeCommand(['auth', 'default', 'pw'])).toBe('AUTH *** ***');
    expect(describeCommand(['HELLO', '3', 'AUTH', 'default', 'pw'])).toBe('HELLO 3 AUTH default ***');
    expect(describeCommand(['config', 'set', 'requirepass', 'pw'])).toBe('CONFIG set requirepass ***');
    expect(describeCommand(['set', 'k', 'a b'])).toBe('SET k "a b"');
  });
});

describe('Redis key patterns', () => {
  it.each([
    ['session:0d8a7a4e-2b1f-4c3e-9a7b-5e6f7a8b9c0d', 'session:*'],
    ['user:1042:profile', 'user:*:profile'],
    ['cache/page/7f3a9c2e1b4d', 'cache/page/*'],
    ['user42.settings', 'user*.settings'],
    ['queue:default', 'queue:default'],
  ])('%s → %s', (key, pattern) => {
    expect(keyPattern(key)).toBe(pattern);
  });
});
