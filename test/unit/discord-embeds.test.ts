import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ButtonCommands } from '../../src/chat/discord/button-commands.js';
import { renderDiscordMessage, renderDiscordMessages } from '../../src/chat/discord/embeds.js';
import type { ButtonComponent, DiscordMessageBody } from '../../src/chat/discord/message-body.js';
import type { Notice, Report, ReportLine } from '../../src/core/report.js';
import { expectWithinDiscordLimits } from '../support/chat-limits.js';

const goldenDir = resolve(import.meta.dirname, '../golden/discord');

function matchesGolden(name: string, body: DiscordMessageBody): void {
  const path = resolve(goldenDir, `${name}.json`);
  const text = `${JSON.stringify(body, null, 2)}\n`;
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(path)) {
    if (process.env.UPDATE_GOLDEN !== '1') throw new Error(`no golden file ${path}; run with UPDATE_GOLDEN=1 to write it`);
    writeFileSync(path, text);
  }
  expect(text).toBe(readFileSync(path, 'utf8'));
}

const withinLimits = expectWithinDiscordLimits;

const okFolded: Report = {
  kind: 'report',
  title: 'Health',
  status: 'ok',
  summary: '2 targets ok',
  sections: [
    { title: 'local-postgres (postgres)', status: 'ok', lines: [], foldedOk: 7 },
    { title: 'local-redis (redis)', status: 'ok', lines: [], foldedOk: 5 },
  ],
  context: { requestedBy: 'bob', durationMs: 184 },
};

const mixed: Report = {
  kind: 'report',
  title: 'Health',
  status: 'crit',
  summary: '2 of 3 targets need attention (1 crit, 1 warn)',
  sections: [
    {
      title: 'orders-db (postgres)',
      status: 'crit',
      lines: [
        {
          status: 'crit',
          label: 'long-running queries',
          value: '2 over 5 min',
          threshold: 'crit at 5 min',
          note: 'look at them, then /maint terminate-long-queries',
          detail: ['pid 4711  12 min  UPDATE orders SET state = $1 WHERE id = $2', 'pid 4720   6 min  VACUUM FULL events'],
        },
        { status: 'warn', label: 'connections', value: '85 of 100 (85 %)', threshold: 'warn at 80 %', note: 'close idle clients or raise max_connections' },
      ],
      foldedOk: 4,
    },
    { title: 'cache (redis)', status: 'warn', lines: [{ status: 'warn', label: 'memory', value: '1.7 GiB of 2 GiB (85 %)', threshold: 'warn at 80 %' }] },
    { title: 'box (host)', status: 'ok', lines: [], foldedOk: 3 },
  ],
  buttons: [{ label: 'Terminate long queries', command: 'terminate-long-queries orders-db', style: 'danger' }],
  context: { requestedBy: 'alice', durationMs: 1234 },
};

function hugeReport(): Report {
  const line = (i: number): ReportLine => ({
    status: i % 3 === 0 ? 'crit' : 'warn',
    label: `container api-${i}`,
    value: `restarted ${i} times in the last hour`,
    threshold: 'warn at 3 restarts',
    note: 'look at its logs: docker logs --since 1h; a crash loop usually means a bad deploy or a missing secret',
  });
  return {
    kind: 'report',
    title: 'Health',
    status: 'crit',
    summary: '12 of 12 targets need attention',
    sections: Array.from({ length: 12 }, (_, s) => ({
      title: `docker-${s} (docker)`,
      status: 'crit' as const,
      lines: Array.from({ length: 30 }, (_, i) => line(s * 30 + i)),
    })),
    context: { requestedBy: 'carol', durationMs: 2950 },
  };
}

const noticeWithButtons: Notice = {
  kind: 'notice',
  tone: 'info',
  text: 'Restart api on prod-1? It needs one approval.',
  preformatted: 'container  api (prod-1)\naction     docker restart, 10 s grace\nasked by   bob',
  buttons: [
    { label: 'Approve', command: 'approve k3f9qa', style: 'primary' },
    { label: 'Reject', command: 'reject k3f9qa', style: 'danger' },
    { label: 'Plan', command: 'help restart' },
  ],
};

describe('Discord embed renderer', () => {
  it('renders an ok report with folded lines as a green header and one green embed naming the healthy targets', () => {
    const body = renderDiscordMessage(okFolded);
    withinLimits(body);
    expect(body.embeds[1]).toMatchObject({ title: '✅ 2 targets ok', description: 'local-postgres (postgres), local-redis (redis)\n(--verbose shows their 12 ok lines)' });
    matchesGolden('ok-folded', body);
  });

  it('renders warn and crit lines with threshold, note and detail, coloured by status, with a danger button', () => {
    const body = renderDiscordMessage(mixed);
    withinLimits(body);
    expect(body.embeds.map((embed) => embed.color)).toEqual([0xe03e3e, 0xe03e3e, 0xf1a90f, 0x2ecc71]);
    matchesGolden('mixed-warn-crit', body);
  });

  it('splits a report too big for one message into messages within every Discord limit: the first names every target, the rest carry every line', () => {
    const report = hugeReport();
    const bodies = renderDiscordMessages(report);
    bodies.forEach(withinLimits);
    const [first, ...followUps] = bodies;
    const named = JSON.stringify(first!.embeds);
    for (const section of report.sections) expect(named).toContain(section.title);
    expect(first!.embeds.at(-1)?.footer?.text).toBe(`continued in ${followUps.length} more messages\nasked by carol · 3 s`);
    const fields = bodies.flatMap((body) => body.embeds.flatMap((embed) => embed.fields ?? []));
    expect(fields).toHaveLength(360);
    followUps.forEach((body, index) => expect(body.content).toBe(`Health · continued, ${index + 2} of ${bodies.length}`));
    expect(followUps.every((body) => body.components.length === 0)).toBe(true);
    expect(JSON.stringify(bodies)).not.toContain('--verbose');
    matchesGolden('huge-cut', first!);
  });

  it('renders a notice as content with a code block and its buttons as one row', () => {
    const body = renderDiscordMessage(noticeWithButtons);
    withinLimits(body);
    expect(body.components[0]?.components.map((button) => button.style)).toEqual([3, 4, 2]);
    matchesGolden('notice-buttons', body);
  });

  it('moves a notice too long for message content into an embed, cut with a count of the lines left out', () => {
    const body = renderDiscordMessage({ kind: 'notice', tone: 'info', text: 'commands', preformatted: Array.from({ length: 400 }, (_, i) => `command-${i}  does thing ${i}`).join('\n') });
    withinLimits(body);
    expect(body.content).toBe('');
    expect(body.embeds[0]?.description).toMatch(/```\n… \d+ more lines$/);
  });

  it('keeps at most 25 buttons in rows of 5, and gives a command longer than 100 characters a short id that maps back', () => {
    const ids = new ButtonCommands();
    const long = `run ${'x'.repeat(120)}`;
    const buttons = [{ label: 'Long', command: long }, ...Array.from({ length: 30 }, (_, i) => ({ label: `B${i}`, command: `ack ${i}` }))];
    const body = renderDiscordMessage({ ...noticeWithButtons, buttons }, { customIdFor: ids.idFor });
    withinLimits(body);
    expect(body.components.flatMap((row) => row.components)).toHaveLength(25);
    const first = (body.components[0]!.components[0] as ButtonComponent).custom_id;
    expect(first.length).toBeLessThanOrEqual(100);
    expect(ids.commandFor(first)).toBe(long);
    expect(ids.commandFor('maint approve 42')).toBe('approve 42');
  });
});
