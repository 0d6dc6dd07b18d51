import { describe, expect, it } from 'vitest';
import { renderDiscordMessages } from '../../src/chat/discord/embeds.js';
import { syncFollowUps } from '../../src/chat/follow-ups.js';
import { renderSlackMessages } from '../../src/chat/slack/blocks.js';
import type { Report, ReportSection } from '../../src/core/report.js';
import { maxReportPages } from '../../src/render/report-pages.js';
import { expectWithinDiscordLimits, expectWithinSlackLimits } from '../support/chat-limits.js';

/** `count` critical targets, each with one crit line and a note. */
function manyProblems(count: number): Report {
  const sections: ReportSection[] = Array.from({ length: count }, (_, i) => ({
    title: `target-${i} (http)`,
    status: 'crit',
    lines: [{ status: 'crit', label: 'status', value: '500 Internal Server Error', threshold: 'crit unless 200', note: 'the service reports an error: check its logs' }],
  }));
  return { kind: 'report', title: 'Health', status: 'crit', summary: `${count} of ${count} targets need attention`, sections, context: { requestedBy: 'dana', durationMs: 900 } };
}

/** One target with `count` lines: a container set, say. */
function oneLongSection(count: number): Report {
  const lines = Array.from({ length: count }, (_, i) => ({ status: 'warn' as const, label: `container c-${i}`, value: `restarted ${i} times in the last hour`, threshold: 'warn at 3 restarts' }));
  return { kind: 'report', title: 'Health', status: 'warn', sections: [{ title: 'prod (docker)', status: 'warn', lines }] };
}

describe('splitting a report over several messages', () => {
  it('stops at the most messages a thread takes and says on the last how many lines it left out (Slack)', () => {
    const report = manyProblems(2000);
    const messages = renderSlackMessages(report);
    messages.forEach(expectWithinSlackLimits);
    expect(messages).toHaveLength(maxReportPages);
    const shownSections = messages.flatMap((message) => message.blocks).filter((block) => block.type === 'section' && 'fields' in block).length;
    expect(JSON.stringify(messages.at(-1)!.blocks.at(-1))).toContain(`… ${2000 - shownSections} more lines left out: too many for one thread`);
  });

  it('names as many problem targets as the first Discord message holds and says how many more follow', () => {
    const report = manyProblems(400);
    const bodies = renderDiscordMessages(report);
    bodies.forEach(expectWithinDiscordLimits);
    const first = JSON.stringify(bodies[0]!.embeds);
    const named = report.sections.filter((section) => first.includes(`**${section.title}**`) || first.includes(`"🚨 ${section.title}"`)).length;
    expect(named).toBeGreaterThan(30);
    expect(first).toContain(`… and ${400 - named} more needing attention, in the next messages`);
    expect(bodies.at(-1)!.embeds.at(-1)?.footer?.text).toMatch(/^… \d+ more lines left out: too many for one thread$/);
  });

  it('splits one section too long for any message over several, marking the later parts as continued', () => {
    const bodies = renderDiscordMessages(oneLongSection(300));
    bodies.forEach(expectWithinDiscordLimits);
    expect(bodies.length).toBeGreaterThan(2);
    const embeds = bodies.flatMap((body) => body.embeds);
    expect(embeds.flatMap((embed) => embed.fields ?? []).map((field) => field.name)).toEqual(Array.from({ length: 300 }, (_, i) => `▲ container c-${i}`));
    expect(bodies[1]!.embeds[0]!.title).toBe('⚠️ prod (docker) (continued)');

    const slack = renderSlackMessages(oneLongSection(300));
    slack.forEach(expectWithinSlackLimits);
    const fields = slack.flatMap((message) => message.blocks.flatMap((block) => ('fields' in block && block.fields) || []));
    expect(fields).toHaveLength(300);
  });

  it('keeps a report that fits in one message as one message, with no word of a continuation', () => {
    const report = manyProblems(3);
    expect(renderSlackMessages(report)).toHaveLength(1);
    expect(renderDiscordMessages(report)).toHaveLength(1);
    expect(JSON.stringify([renderSlackMessages(report), renderDiscordMessages(report)])).not.toContain('continued');
  });
});

describe('bringing follow-ups up to date', () => {
  it('edits those sent before, posts the new pages and removes the surplus', async () => {
    const done: string[] = [];
    const sender = {
      post: async (page: string) => {
        done.push(`post ${page}`);
        return `id-${page}`;
      },
      edit: async (ref: string, page: string) => void done.push(`edit ${ref} ${page}`),
      remove: async (ref: string) => void done.push(`remove ${ref}`),
    };
    expect(await syncFollowUps(['b', 'c', 'd'], ['id-1'], sender)).toEqual(['id-1', 'id-c', 'id-d']);
    expect(await syncFollowUps(['x'], ['id-1', 'id-c', 'id-d'], sender)).toEqual(['id-1']);
    expect(done).toEqual(['edit id-1 b', 'post c', 'post d', 'edit id-1 x', 'remove id-c', 'remove id-d']);
  });
});
