import { describe, expect, it } from 'vitest';
import { acknowledgedMessage, type AlertRecord } from '../../src/alerts/alert-messages.js';
import { approvalCard, approvedRunFrame } from '../../src/approvals/approval-card.js';
import type { ApprovalRequest } from '../../src/approvals/approval-request.js';
import { renderDiscordMessage } from '../../src/chat/discord/embeds.js';
import { renderSlackMessage } from '../../src/chat/slack/blocks.js';
import { notice, type Message, type Report } from '../../src/core/report.js';
import { timeText } from '../../src/core/time.js';
import { renderText } from '../../src/render/text.js';
import { expectGolden } from '../support/golden.js';

const at = (hour: number, minute: number) => Date.UTC(2026, 0, 15, hour, minute);
const seconds = (ms: number) => ms / 1000;

const pending: ApprovalRequest = {
  id: 'k3f9qa',
  status: 'pending',
  createdAt: at(14, 0),
  expiresAt: at(14, 15),
  runId: 'run-1',
  runbook: 'restart',
  params: { container: 'shop-api' },
  invocation: { id: 'inv-1', platform: 'slack', actor: { id: 'U0ANNA', name: 'anna', roles: ['operator'] }, channel: { id: 'C0OPS' }, text: 'restart shop-api', receivedAt: new Date(at(14, 0)).toISOString() },
  stepIndex: 0,
  stepCount: 1,
  stepTitle: 'restart the container',
  outputs: {},
  summaries: [],
  plan: { summary: 'restart container shop-api on apps', detail: ['container  shop-api (4f2a9c1b)', 'action     restart, 10 s grace'] },
  rule: { approverRoles: ['operator', 'admin'], required: 1, allowSelf: false, expiresAfterMs: 15 * 60_000 },
  approvals: [],
  card: { platform: 'slack', id: 'C0OPS/1768485600.000100' },
  lock: { key: 'docker:apps/shop-api', token: 7 },
};

const approved: ApprovalRequest = { ...pending, status: 'approved', approvals: [{ actorId: 'U0BEN', actorName: 'ben', at: at(14, 3) }] };

const restarted: Report = {
  kind: 'report',
  title: 'restart: done',
  status: 'ok',
  sections: [{ title: 'restart', status: 'ok', lines: [{ status: 'ok', label: 'done', value: 'restarted shop-api' }] }],
  context: { requestedBy: 'anna', durationMs: 2300 },
};

const failed: Report = {
  kind: 'report',
  title: 'restart failed at step 1 of 1',
  status: 'crit',
  sections: [{ title: 'restart', status: 'crit', lines: [{ status: 'crit', label: 'step 1', value: 'restart the container failed', note: 'shop-api did not come back within 10 s' }] }],
  context: { requestedBy: 'anna', durationMs: 11_400 },
};

const alert: AlertRecord = {
  id: '3f9a1c',
  key: 'orders-db/postgres.connections',
  target: 'orders-db (postgres)',
  label: 'connections',
  line: { status: 'crit', label: 'connections', value: '96 of 100 (96 %)', threshold: 'crit at 95 %', note: 'close idle clients or raise max_connections' },
  openedAt: at(13, 40),
  posts: { 'slack:C0OPS': { platform: 'slack', id: 'C0OPS/1768484400.000200' } },
};

const cards: Record<string, Message> = {
  'approval-final': approvedRunFrame(approved, at(14, 3))(restarted),
  'approval-final-failed': approvedRunFrame(approved, at(14, 3))(failed),
  'approval-final-notice': approvedRunFrame(approved, at(14, 3), () => at(14, 3) + 1800)(notice('info', 'shop-api restarted: now running.')),
  'approval-rejected': approvalCard({ ...pending, status: 'rejected', rejection: { actorId: 'U0BEN', actorName: 'ben', at: at(14, 4) } }, at(14, 4)),
  'approval-expired': approvalCard({ ...pending, status: 'expired' }, at(14, 15)),
  'approval-cancelled': approvalCard({ ...pending, status: 'cancelled', cancellation: { actorId: 'U0ANNA', actorName: 'anna', at: at(14, 6) } }, at(14, 6)),
  'alert-acked': acknowledgedMessage({ ...alert, acked: { by: 'olga', at: at(13, 52) } }),
  'alert-snoozed': acknowledgedMessage({ ...alert, snoozed: { by: 'olga', until: at(14, 52) } }),
};

function report(name: string): Report {
  const card = cards[name]!;
  if (card.kind !== 'report') throw new Error(`${name} is not a report`);
  return card;
}

describe('cards keep the record, on Slack and Discord', () => {
  it.each(Object.keys(cards))('%s matches its golden files', (name) => {
    expectGolden('slack', name, renderSlackMessage(cards[name]!));
    expectGolden('discord', name, renderDiscordMessage(cards[name]!));
  });

  it('keeps the outcome, the plan, the requester and each approver with the time on the final card, coloured by the outcome', () => {
    const final = report('approval-final');
    expect(final).toMatchObject({ title: 'restart: done', status: 'ok', context: { requestedBy: 'anna', durationMs: 2300, note: 'approval k3f9qa' } });
    expect(final.sections.map((section) => `${section.status} ${section.title}`)).toEqual(['ok restart', 'ok Plan', 'ok Approval']);
    expect(renderText(final)).toContain('requested by  anna at 14:00 UTC');
    expect(renderText(final)).toContain('approved by   ben at 14:03 UTC');
    expect(renderText(final)).toContain('restart container shop-api on apps');
    expect(renderDiscordMessage(final).embeds[0]!.color).toBe(0x2ecc71);
    expect(report('approval-final-notice')).toMatchObject({ title: 'restart: done', summary: 'Approved by ben, ran for 1.8 s.', context: { durationMs: 1800 } });
    expect(renderDiscordMessage(report('approval-final-failed')).embeds.map((embed) => embed.color)).toEqual([0xe03e3e, 0xe03e3e, 0xe03e3e, 0x2ecc71]);
  });

  it('shows rejected, expired and cancelled cards with their own status, not an unknown one', () => {
    const marks = ['approval-rejected', 'approval-expired', 'approval-cancelled'].map((name) => {
      const slack = renderSlackMessage(report(name));
      return { header: JSON.stringify(slack.blocks[0]), word: JSON.stringify(slack.blocks[1]), colour: renderDiscordMessage(report(name)).embeds[0]!.color, text: renderText(report(name)).split('\n')[0] };
    });
    expect(marks.map((mark) => mark.header)).toEqual([expect.stringContaining(':no_entry: Rejected: restart'), expect.stringContaining(':hourglass: Expired: restart'), expect.stringContaining(':no_entry_sign: Cancelled: restart')]);
    expect(marks.map((mark) => mark.word)).toEqual([expect.stringContaining('*REJECTED*'), expect.stringContaining('*EXPIRED*'), expect.stringContaining('*CANCELLED*')]);
    for (const mark of marks) {
      expect(mark.header).not.toContain(':grey_question:');
      expect(mark.colour).not.toBe(0x95a5a6);
    }
    expect(marks.map((mark) => mark.text)).toEqual(['⊘ REJECTED  Rejected: restart', '⌛ EXPIRED  Expired: restart', '⊘ CANCELLED  Cancelled: restart']);
    expect(report('approval-cancelled').summary).toMatch(/^Cancelled by anna at /);
  });

  it('keeps the problem, its value and threshold on an acked or snoozed alert; a snoozed one keeps Ack', () => {
    for (const name of ['alert-acked', 'alert-snoozed']) {
      expect(report(name).sections[0]!.lines[0]).toEqual(alert.line);
      expect(report(name).title).toBe('CRIT: orders-db (postgres) · connections');
    }
    expect(renderText(report('alert-acked'))).toContain('Acked by olga at 13:52 UTC');
    expect(report('alert-acked').buttons).toBeUndefined();
    expect(renderText(report('alert-snoozed'))).toContain('Snoozed by olga until 14:52 UTC');
    expect(report('alert-snoozed').buttons).toEqual([{ label: 'Ack', command: 'ack 3f9a1c', style: 'primary' }]);
  });
});

describe('times for people, per platform', () => {
  const card = cards['approval-rejected']!;

  it('lets Slack show each reader their own time zone in mrkdwn, and UTC in plain text', () => {
    const rendered = renderSlackMessage(card);
    const blocks = JSON.stringify(rendered.blocks);
    expect(blocks).toContain(`Rejected by ben at <!date^${seconds(at(14, 4))}^{date_short_pretty} {time}|14:04 UTC>`);
    expect(blocks).toContain(`anna at <!date^${seconds(at(14, 0))}^{date_short_pretty} {time}|14:00 UTC>`);
    expect(rendered.text).toContain('Rejected by ben at 14:04 UTC');
    expect(blocks).not.toMatch(/[\uE000\uE001]/);
  });

  it('lets Discord show each reader their own time zone in descriptions and fields, and UTC in titles and footers', () => {
    const rendered = renderDiscordMessage(card);
    expect(rendered.embeds[0]!.description).toContain(`Rejected by ben at <t:${seconds(at(14, 4))}:f>`);
    expect(JSON.stringify(rendered)).toContain(`anna at <t:${seconds(at(14, 0))}:f>`);
    const footer = renderDiscordMessage({ kind: 'report', title: `due ${timeText(at(14, 52))}`, status: 'ok', sections: [], context: { note: `snoozed until ${timeText(at(14, 52))}` } }).embeds[0]!;
    expect(footer.title).toBe('✅ due 14:52 UTC');
    expect(footer.footer?.text).toBe('snoozed until 14:52 UTC');
    expect(JSON.stringify(rendered)).not.toMatch(/[\uE000\uE001]/);
  });

  it('shows UTC in the terminal, also inside code, and drops a time cut in half by a length limit', () => {
    expect(renderText(card)).toContain('Rejected by ben at 14:04 UTC');
    const cut = renderSlackMessage({ kind: 'notice', tone: 'info', text: `expires at ${timeText(at(14, 15)).slice(0, 7)}…`, preformatted: `asked at ${timeText(at(14, 0))}` });
    expect(JSON.stringify(cut.blocks)).toContain('expires at …');
    expect(JSON.stringify(cut.blocks)).toContain('asked at 14:00 UTC');
    expect(JSON.stringify(cut)).not.toMatch(/[\uE000\uE001]/);
  });
});
