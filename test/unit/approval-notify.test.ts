import { describe, expect, it } from 'vitest';
import { approvalMentionsFor } from '../../src/approvals/approval-rules.js';
import { renderDiscordMessage } from '../../src/chat/discord/embeds.js';
import { renderSlackMessage } from '../../src/chat/slack/blocks.js';
import { configSchema } from '../../src/config/schema.js';
import type { Notice } from '../../src/core/report.js';
import { renderText } from '../../src/render/text.js';

const notify = {
  notify: { slack: { groups: ['S0OPS'], users: ['U0ALICE'] }, discord: { roles: ['1400000000000000001'] } },
  rules: { restore: { notify: { slack: { users: ['U0ROOT'] } } } },
};

describe('approvals.notify', () => {
  it('takes each platform’s shape from its chat adapter, and a rule replaces it per platform', () => {
    const { approvals } = configSchema.parse({ approvals: notify });
    expect(approvalMentionsFor(approvals, 'restart', 'slack')).toEqual([
      { kind: 'group', id: 'S0OPS' },
      { kind: 'user', id: 'U0ALICE' },
    ]);
    expect(approvalMentionsFor(approvals, 'restore', 'slack')).toEqual([{ kind: 'user', id: 'U0ROOT' }]);
    expect(approvalMentionsFor(approvals, 'restore', 'discord')).toEqual([{ kind: 'group', id: '1400000000000000001' }]);
    expect(approvalMentionsFor(approvals, 'restart', 'console')).toEqual([]);
    expect(approvalMentionsFor(configSchema.parse({}).approvals, 'restart', 'slack')).toEqual([]);
  });

  it('refuses ids a platform would not know, keys of another platform’s shape, and a platform that cannot call anyone', () => {
    const parsed = configSchema.safeParse({
      approvals: { notify: { slack: { groups: ['ops-team'], roles: ['S0OPS'] }, discord: { users: ['bob'] }, console: { users: ['alice'] } } },
    });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`)).toEqual(
      expect.arrayContaining([
        'approvals.notify.slack.groups.0: expected a Slack user-group id such as S0123ABCD',
        expect.stringMatching(/^approvals\.notify\.slack: Unrecognized key.*roles/),
        'approvals.notify.discord.users.0: expected a numeric Discord user id',
        expect.stringMatching(/^approvals\.notify: Unrecognized key.*console/),
      ]),
    );
  });
});

describe('a message that calls people', () => {
  const call: Notice = {
    kind: 'notice',
    tone: 'info',
    text: 'anna asks for your approval: restart',
    mentions: [
      { kind: 'group', id: 'S0OPS' },
      { kind: 'user', id: 'U0ALICE' },
    ],
  };

  it('mentions them on Slack in the text and the blocks', () => {
    const rendered = renderSlackMessage(call);
    expect(rendered.text).toBe('<!subteam^S0OPS> <@U0ALICE> anna asks for your approval: restart');
    expect(rendered.blocks).toEqual([{ type: 'section', text: { type: 'mrkdwn', text: '<!subteam^S0OPS> <@U0ALICE> anna asks for your approval: restart' } }]);
  });

  it('mentions them on Discord in the content, with allowed_mentions naming exactly them', () => {
    const rendered = renderDiscordMessage({ ...call, mentions: [{ kind: 'group', id: '14' }, { kind: 'user', id: '15' }] });
    expect(rendered).toMatchObject({ content: '<@&14> <@15> anna asks for your approval: restart', allowed_mentions: { parse: [], roles: ['14'], users: ['15'] } });
    expect(renderDiscordMessage({ ...call, mentions: undefined }).allowed_mentions).toBeUndefined();
  });

  it('prints the text alone in the terminal', () => {
    expect(renderText(call)).toBe('anna asks for your approval: restart');
  });
});
