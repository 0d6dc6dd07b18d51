import { describe, expect, it } from 'vitest';
import { renderAuditLog } from '../../src/audit/audit-command.js';
import { auditEvent as event } from '../support/memory-audit.js';

describe('/maint audit table', () => {
  it('says so when there are no records', () => {
    expect(renderAuditLog([])).toEqual({ kind: 'notice', tone: 'info', text: 'No audit records yet.' });
  });

  it('shows time, who, platform, what, outcome, duration and detail in aligned columns, newest first', () => {
    const rendered = renderAuditLog([
      event({ command: 'health', durationMs: 350 }),
      event({
        at: new Date('2024-05-01T09:05:07.900Z'),
        invocationId: 'inv-2',
        kind: 'approval',
        platform: 'slack',
        actor: { id: 'U2', name: 'Grace' },
        runbook: 'restart',
        approvalId: '7f3a',
        outcome: 'approved',
      }),
      event({
        at: new Date('2024-05-01T09:06:00Z'),
        invocationId: 'inv-3',
        kind: 'step',
        platform: 'slack',
        runbook: 'restart',
        step: 'restart-container',
        outcome: 'failed',
        durationMs: 65_000,
        detail: `container api did not come back healthy\nwithin the timeout; ${'last log line '.repeat(5)}`,
      }),
    ]);

    expect(rendered.kind).toBe('notice');
    expect(rendered.text).toBe('The latest 3 audit records, newest first:');
    const lines = rendered.preformatted!.split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^time \(UTC\)\s+who\s+platform\s+what\s+outcome\s+duration\s+detail$/);
    expect(lines[1]).toMatch(/^2024-05-01 09:06:00\s+Ada\s+slack\s+restart · step restart-container\s+failed\s+1m 05s\s+container api did not come back healthy within the timeout;.*…$/);
    expect(lines[2]).toMatch(/^2024-05-01 09:05:07\s+Grace\s+slack\s+restart · approval 7f3a\s+approved\s+-$/);
    expect(lines[3]).toMatch(/^2024-05-01 09:00:00\s+Ada\s+console\s+health\s+ok\s+350 ms$/);
    const outcomeColumn = lines[0]!.indexOf('outcome');
    expect(lines.slice(1).map((line) => line.indexOf(line.slice(outcomeColumn).trimStart().split(' ')[0]!))).toEqual([outcomeColumn, outcomeColumn, outcomeColumn]);
    const detail = lines[1]!.slice(lines[0]!.indexOf('detail'));
    expect(Array.from(detail).length).toBeLessThanOrEqual(60);
  });

  it("shows each command's steps and approval events beneath its row, the expiry by the bot, and lone records on their own", () => {
    const rendered = renderAuditLog([
      event({ at: new Date('2024-05-01T10:00:00Z'), invocationId: 'restart', command: 'restart api', runbook: 'restart', approvalId: 'k3x9q2', outcome: 'pending-approval', durationMs: 400 }),
      event({ at: new Date('2024-05-01T10:00:00.200Z'), invocationId: 'restart', kind: 'step', command: 'restart api', runbook: 'restart', step: 'restart', approvalId: 'k3x9q2', outcome: 'waiting' }),
      event({ at: new Date('2024-05-01T10:00:00.300Z'), invocationId: 'restart', kind: 'approval', command: 'restart api', runbook: 'restart', approvalId: 'k3x9q2', outcome: 'requested' }),
      event({ at: new Date('2024-05-01T10:15:00Z'), invocationId: 'restart', kind: 'approval', actor: { id: 'maintbot', name: 'maintbot' }, command: 'restart api', approvalId: 'k3x9q2', outcome: 'expired' }),
      event({ at: new Date('2024-05-01T10:05:00Z'), invocationId: 'nightly', kind: 'runbook', actor: { id: 'scheduler', name: 'schedule nightly' }, runbook: 'backup', outcome: 'completed' }),
    ]);

    expect(rendered.preformatted!.split('\n').slice(1).map((line) => line.replace(/\s{2,}/g, ' | '))).toEqual([
      '2024-05-01 10:00:00 | Ada | console | restart api · approval k3x9q2 | pending-approval | 400 ms',
      '2024-05-01 10:00:00 | Ada | console | · step restart · approval k3x9q2 | waiting | -',
      '2024-05-01 10:00:00 | Ada | console | · approval k3x9q2 | requested | -',
      '2024-05-01 10:15:00 | maintbot | console | · approval k3x9q2 | expired | -',
      '2024-05-01 10:05:00 | schedule nightly | console | backup | completed | -',
    ]);
  });

  it('keeps a record with odd text on one line', () => {
    const rendered = renderAuditLog([event({ command: 'vacuum "a\nb"', detail: 'line one\r\nline two\u0007', actor: { id: 'U9', name: '' } })]);

    const lines = rendered.preformatted!.split('\n');
    expect(rendered.text).toBe('The latest audit record:');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain('U9');
    expect(lines[1]).toContain('vacuum "a b"');
    expect(lines[1]).toMatch(/line one line two$/);
  });
});
