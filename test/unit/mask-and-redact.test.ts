import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { maskUrl, withoutPassword } from '../../src/core/mask.js';
import { createLogger } from '../../src/logging/logger.js';

describe('secrets stay out of logs and messages', () => {
  it('masks the password of a URL and leaves URLs without one alone', () => {
    expect(maskUrl('postgres://app:s3cret@db:5432/app')).toBe('postgres://app:***@db:5432/app');
    expect(maskUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
    expect(maskUrl('not a url://u:p@h')).not.toContain(':p@');
  });

  it('redacts tokens and secrets in log records', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const logger = createLogger({ level: 'info', pretty: false, destination: sink });
    logger.info({ slack: { bot_token: 'xoxb-very-secret', signing_secret: 'shh' }, token: 'abc' }, 'starting');
    const text = lines.join('');
    expect(text).toContain('starting');
    expect(text).not.toContain('xoxb-very-secret');
    expect(text).not.toContain('shh');
    expect(text).not.toContain('"abc"');
    expect(text).toContain('[redacted]');
  });
});

describe('passwords in query strings and in driver messages', () => {
  it('masks password and sslpassword query parameters too', () => {
    expect(maskUrl('postgres://app@db/app?sslmode=require&password=hunter2&sslpassword=k3y')).toBe('postgres://app@db/app?sslmode=require&password=***&sslpassword=***');
  });

  it('removes every form of the password a message may repeat', () => {
    const url = 'postgres://app:p%40ss@db/app?sslpassword=k3y';
    expect(withoutPassword('auth failed for p@ss and p%40ss with key k3y', url)).toBe('auth failed for *** and *** with key ***');
  });
});
