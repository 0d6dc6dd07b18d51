import { describe, expect, it } from 'vitest';
import type { AlertRecord } from '../../src/alerts/alert-messages.js';
import type { ApprovalRequest } from '../../src/approvals/approval-request.js';
import { mayApprove } from '../../src/approvals/approval-request.js';
import type { AuditEvent } from '../../src/audit/audit-trail.js';
import { renderSlackMessage } from '../../src/chat/slack/blocks.js';
import type { Actor } from '../../src/core/invocation.js';
import { createHome, homeListed } from '../../src/home/home.js';
import { renderText } from '../../src/render/text.js';
import type { ScheduleStatus } from '../../src/schedule/scheduler.js';

const now = Date.UTC(2026, 0, 15, 14, 0);
const olga: Actor = { id: 'U0OLGA', name: 'olga', roles: ['viewer', 'operator'] };
const anna: Actor = { id: 'U0ANNA', name: 'anna', roles: ['viewer', 'operator'] };

function request(id: string, requester: Actor, createdAt: number): ApprovalRequest {
  return {
    id,
    status: 'pending',
    createdAt,
    expiresAt: createdAt + 15 * 60_000,
    runbook: 'restart',
    params: {},
    invocation: { id: `inv-${id}`, platform: 'slack', actor: requester, channel: { id: 'C0OPS' }, text: 'restart api', receivedAt: new Date(createdAt).toISOString() },
    stepIndex: 0,
    stepCount: 1,
    stepTitle: 'restart',
    outputs: {},
    summaries: [],
    plan: { summary: `restart container api (${id})`, detail: [] },
    rule: { approverRoles: ['operator', 'admin'], required: 1, allowSelf: false, expiresAfterMs: 15 * 60_000 },
    approvals: [],
    card: { platform: 'slack', id: 'C0OPS/1.1' },
  };
}

const requests = [request('aaa111', anna, now - 60_000), request('bbb222', olga, now - 30_000)];
const command = (text: string, outcome: string, actor: Actor, minutesAgo: number): AuditEvent => ({
  at: new Date(now - minutesAgo * 60_000),
  kind: 'command',
  invocationId: text,
  platform: 'slack',
  actor: { id: actor.id, name: actor.name },
  command: text,
  outcome,
});
const audit = [command('health', 'ok', olga, 1), command('restart api', 'pending-approval', anna, 2), command('vacuum orderz', 'refused', olga, 3)];
const schedule = (name: string, cron: string, inMinutes: number | undefined, inactive?: string): ScheduleStatus => ({
  schedule: { name, cron } as ScheduleStatus['schedule'],
  timeZone: 'UTC',
  ...(inMinutes === undefined ? {} : { nextRun: new Date(now + inMinutes * 60_000) }),
  ...(inactive ? { inactive } : {}),
});
const alerts: AlertRecord[] = Array.from({ length: 7 }, (_, index) => ({
  id: `al${index}`,
  key: `db/postgres.connections.${index}`,
  target: `db-${index} (postgres)`,
  label: 'connections',
  line: { status: index === 0 ? 'crit' : 'warn', label: 'connections', value: `${90 + index} of 100` },
  openedAt: now - index * 60_000,
  posts: {},
  ...(index === 0 ? { acked: { by: 'anna', at: now } } : {}),
}));

const home = createHome({
  decidable: async (actor, platform) => requests.filter((candidate) => mayApprove(candidate, actor, platform, now)),
  audit: { latest: async () => audit },
  schedules: async () => [schedule('morning-report', '0 9 * * *', 19 * 60), schedule('health-alerts', '*/5 * * * *', 5), schedule('off-one', '0 1 * * *', 60, 'its runbook is not installed'), schedule('never', '0 0 31 2 *', undefined)],
  openAlerts: async () => alerts,
  now: () => now,
});

describe('a person\'s home', () => {
  it('lists the requests they may approve (not their own), their own commands, the next schedules first, and open alerts', async () => {
    const report = await home.homeFor(olga, 'slack');
    const [roles, approvals, commands, schedules, open] = report.sections;
    expect(roles!.lines[0]!.value).toBe('viewer, operator');
    expect(approvals!.lines.map((line) => line.label)).toEqual(['aaa111 · restart']);
    expect(report.buttons).toEqual([
      { label: 'Approve aaa111', command: 'approve aaa111', style: 'primary' },
      { label: 'Reject aaa111', command: 'reject aaa111', style: 'danger' },
    ]);
    expect(commands!.lines.map((line) => [line.label, line.status])).toEqual([['/maint health', 'ok'], ['/maint vacuum orderz', 'warn']]);
    expect(schedules!.lines.map((line) => line.label)).toEqual(['health-alerts', 'morning-report']);
    expect(open!.title).toBe(`Open alerts (${homeListed} of 7)`);
    expect(open!.lines[0]).toMatchObject({ status: 'crit', label: 'db-0 (postgres) · connections' });
    expect(open!.lines[0]!.note).toContain('acked by anna');
    expect(report.status).toBe('crit');
    expect(report.summary).toBe('1 approval request you may decide, 7 open alerts.');
    expect(renderSlackMessage(report).blocks.length).toBeLessThanOrEqual(100);
  });

  it('says so when nothing waits, nothing was typed and no schedule runs', async () => {
    const empty = createHome({ decidable: async () => [], audit: { latest: async () => [] }, schedules: async () => [], openAlerts: async () => [], now: () => now });
    const text = renderText(await empty.homeFor({ id: 'U0NEW', name: 'new', roles: ['viewer'] }, 'slack'));
    expect(text).toContain('nothing waits for you');
    expect(text).toContain('none among the latest 500 audit records');
    expect(text).toContain('none runs');
    expect(text).toContain('none open');
  });
});
