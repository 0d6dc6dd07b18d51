import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { maskUrl } from '../../src/core/mask.js';
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
