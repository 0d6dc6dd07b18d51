import { describe, expect, it } from 'vitest';
import { capturedLogger } from '../support/logs.js';

describe('JSON log lines', () => {
  it('carry level as a word and time as ISO 8601 UTC, with the message and the fields', () => {
    const { logger, records } = capturedLogger('debug');
    const before = Date.now();
    logger.info({ platform: 'slack' }, 'Slack Socket Mode connected');
    logger.error({ code: 'AUDIT_WRITE_FAILED' }, 'could not write the audit record');
    logger.debug('details');
    const [info, error, debug] = records();
    expect(info).toMatchObject({ level: 'info', app: 'maintbot', platform: 'slack', msg: 'Slack Socket Mode connected' });
    expect(error).toMatchObject({ level: 'error', code: 'AUDIT_WRITE_FAILED' });
    expect(debug).toMatchObject({ level: 'debug', msg: 'details' });
    for (const record of [info, error, debug]) {
      expect(record!.time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      expect(Date.parse(String(record!.time))).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    }
  });
});
