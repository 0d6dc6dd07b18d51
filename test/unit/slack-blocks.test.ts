import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderSlackMessage, renderSlackMessages, type SlackMessage } from '../../src/chat/slack/blocks.js';
import type { Message, Report, ReportLine, ReportSection } from '../../src/core/report.js';
import { expectWithinSlackLimits } from '../support/chat-limits.js';

const goldenDir = join(import.meta.dirname, '..', 'golden', 'slack');

async function expectGolden(name: string, rendered: SlackMessage): Promise<void> {
  const path = join(goldenDir, `${name}.json`);
  const actual = `${JSON.stringify(rendered, null, 2)}\n`;
  if (process.env.UPDATE_GOLDEN === '1') await writeFile(path, actual);
  expect(actual).toBe(await readFile(path, 'utf8'));
}

function render(message: Message): SlackMessage {
  const rendered = renderSlackMessage(message);
  expectWithinSlackLimits(rendered);
  return rendered;
}

const allOk: Report = {
  kind: 'report',
  title: 'Health',
  status: 'ok',
  summary: 'all 3 targets ok',
  sections: [
    { title: 'local-postgres (postgres)', status: 'ok', lines: [], foldedOk: 7 },
    { title: 'local-redis (redis)', status: 'ok', lines: [], foldedOk: 4 },
    { title: 'box (host)', status: 'ok', lines: [], foldedOk: 3 },
  ],
  context: { requestedBy: 'alice', durationMs: 412 },
};

const mixed: Report = {
  kind: 'report',
  title: 'Health',
  status: 'crit',
  summary: '1 critical, 2 warnings on 2 targets',
  sections: [
    {
      title: 'orders-db (postgres)',
      status: 'crit',
      lines: [
        { status: 'crit', label: 'connections', value: '96 of 100 (96 %)', threshold: 'crit at 95 %', note: 'close idle clients or raise max_connections' },
        {
          status: 'warn',
          label: 'long queries',
          value: '2 over 5 s',
          threshold: 'warn over 5 s',
          detail: ['pid 4242 · 3 min 12 s · SELECT * FROM orders WHERE <unindexed>', 'pid 4250 · 48 s · VACUUM orders'],
        },
      ],
      foldedOk: 5,
    },
    {
      title: 'cache (redis)',
      status: 'warn',
      lines: [{ status: 'warn', label: 'memory', value: '812 MB of 1 GB (79 %)', threshold: 'warn at 75 %' }],
      foldedOk: 3,
    },
  ],
  buttons: [{ label: 'Show everything', command: 'health --verbose' }],
  context: { requestedBy: 'bob', durationMs: 1830 },
};

function hugeReport(): Report {
  const sections: ReportSection[] = Array.from({ length: 30 }, (_, sectionIndex) => ({
    title: `db-${sectionIndex} (postgres)`,
    status: 'warn',
    lines: Array.from(
      { length: 12 },
      (_, lineIndex): ReportLine => ({
        status: lineIndex % 3 === 0 ? 'warn' : 'ok',
        label: `check ${lineIndex}`,
        value: `${lineIndex * 7} %`,
        threshold: 'warn at 80 %',
        note: lineIndex % 3 === 0 ? 'x'.repeat(4000) : undefined,
      }),
    ),
  }));
  return { kind: 'report', title: 'Health '.repeat(40), status: 'warn', summary: 'many problems', sections, context: { requestedBy: 'carol', durationMs: 2950 } };
}

describe('Block Kit rendering of reports and notices', () => {
  it('packs the healthy targets of an all-ok report into one line naming them, with the hint to see their lines', async () => {
    const rendered = render(allOk);
    expect(rendered.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: ':white_check_mark: Health', emoji: true } });
    expect(rendered.blocks[2]).toEqual({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: ':white_check_mark: 3 targets ok: local-postgres (postgres), local-redis (redis), box (host) · --verbose shows their 14 ok lines' }],
    });
    expect(rendered.text).toContain('✔ OK  Health');
    await expectGolden('all-ok-folded', rendered);
  });

  it('shows warn and crit figures with their thresholds as fields, notes and detail as context, and escapes mrkdwn', async () => {
    const rendered = render(mixed);
    const section = rendered.blocks.find((block) => block.type === 'section' && 'fields' in block) as { fields: Array<{ text: string }> };
    expect(section.fields[0]!.text).toBe(':red_circle: *connections*\n96 of 100 (96 %)\n_crit at 95 %_');
    expect(JSON.stringify(rendered.blocks)).toContain('WHERE &lt;unindexed&gt;');
    expect(rendered.blocks.at(-1)).toMatchObject({ type: 'actions', elements: [{ type: 'button', value: 'health --verbose', action_id: 'maint-button-0' }] });
    expect(rendered.blocks.at(-2)).toMatchObject({ type: 'context', elements: [{ text: 'asked by bob · 1.8 s' }] });
    await expectGolden('mixed-warn-crit', rendered);
  });

  it('splits a huge report into messages within every Slack limit: the first names every target, the rest carry every line', async () => {
    const report = hugeReport();
    const messages = renderSlackMessages(report);
    messages.forEach(expectWithinSlackLimits);
    expect(messages.length).toBeGreaterThan(1);
    const [first, ...followUps] = messages;
    const firstText = JSON.stringify(first!.blocks);
    for (const section of report.sections) expect(firstText).toContain(`*${section.title}*`);
    expect(first!.blocks.at(-1)).toMatchObject({ type: 'context', elements: [{ text: `continued in ${followUps.length} more message${followUps.length === 1 ? '' : 's'} · asked by carol · 3 s` }] });
    const fields = messages.flatMap((message) => message.blocks.flatMap((block) => ('fields' in block && block.fields) || []));
    expect(fields).toHaveLength(30 * 12);
    followUps.forEach((message, index) => expect(message.blocks[0]).toMatchObject({ type: 'context', elements: [{ text: expect.stringContaining(`· continued, ${index + 2} of ${messages.length}*`) }] }));
    expect(JSON.stringify(messages)).not.toContain('--verbose');
    await expectGolden('huge-report-cut', first!);
  });

  it('renders a notice with its plan as code and its buttons with styles and unique action ids', async () => {
    const rendered = render({
      kind: 'notice',
      tone: 'info',
      text: 'bob asks to restart api on prod-docker. An operator other than bob may approve within 15 min.',
      preformatted: 'container  api (a1b2c3)\naction     restart, 10 s grace',
      buttons: [
        { label: 'Approve', command: 'approve 7f3a', style: 'primary' },
        { label: 'Reject', command: 'reject 7f3a', style: 'danger' },
      ],
    });
    expect(rendered.blocks[2]).toEqual({
      type: 'actions',
      elements: [
        { type: 'button', action_id: 'maint-button-0', text: { type: 'plain_text', text: 'Approve', emoji: true }, value: 'approve 7f3a', style: 'primary' },
        { type: 'button', action_id: 'maint-button-1', text: { type: 'plain_text', text: 'Reject', emoji: true }, value: 'reject 7f3a', style: 'danger' },
      ],
    });
    await expectGolden('notice-with-buttons', rendered);
  });

  it('marks an error notice and keeps its usage hint as code', async () => {
    const rendered = render({ kind: 'notice', tone: 'error', text: "Unexpected argument 'now'.", preformatted: 'Usage: /maint health [target] [--verbose]' });
    expect(rendered.blocks).toEqual([
      { type: 'section', text: { type: 'mrkdwn', text: ":x: Unexpected argument 'now'." } },
      { type: 'section', text: { type: 'mrkdwn', text: '```\nUsage: /maint health [target] [--verbose]\n```' } },
    ]);
    expect(rendered.text).toBe("✖ Unexpected argument 'now'.\n  Usage: /maint health [target] [--verbose]");
    await expectGolden('error-notice', rendered);
  });

  it('splits long help text over several code blocks and 30 buttons over two actions blocks', () => {
    const rendered = render({
      kind: 'notice',
      tone: 'info',
      text: 'help',
      preformatted: Array.from({ length: 400 }, (_, index) => `line ${index} ${'-'.repeat(60)}`).join('\n'),
      buttons: Array.from({ length: 30 }, (_, index) => ({ label: `b${index}`, command: `help ${index}` })),
    });
    expect(rendered.blocks.filter((block) => block.type === 'actions')).toHaveLength(2);
    expect(rendered.blocks.filter((block) => block.type === 'section').length).toBeGreaterThan(5);
  });
});
