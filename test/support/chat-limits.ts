import { expect } from 'vitest';
import { discordLimits, embedSize, type Embed } from '../../src/chat/discord/message-body.js';
import type { SlackBlock } from '../../src/chat/slack/blocks.js';
import { slackLimits } from '../../src/chat/slack/limits.js';

/** A Slack message body as sent: its fallback text and its blocks. */
export interface SentSlackMessage {
  text?: unknown;
  blocks?: unknown;
}

/** Every limit Slack enforces on a message; a breach here is a message Slack would reject. */
export function expectWithinSlackLimits(message: SentSlackMessage): void {
  const text = typeof message.text === 'string' ? message.text : '';
  const blocks = (Array.isArray(message.blocks) ? message.blocks : []) as Array<SlackBlock & Record<string, unknown>>;
  expect(text.length).toBeGreaterThan(0);
  expect(text.length).toBeLessThanOrEqual(slackLimits.fallbackText);
  expect(blocks.length).toBeLessThanOrEqual(slackLimits.blocksPerMessage);
  const actionIds: string[] = [];
  for (const block of blocks) {
    const blockText = block.text as { text: string } | undefined;
    if (block.type === 'header') expect(blockText!.text.length).toBeLessThanOrEqual(slackLimits.headerText);
    else if (blockText) expect(blockText.text.length).toBeLessThanOrEqual(slackLimits.textObject);
    const fields = (block.fields ?? []) as Array<{ text: string }>;
    expect(fields.length).toBeLessThanOrEqual(slackLimits.fieldsPerSection);
    for (const field of fields) expect(field.text.length).toBeLessThanOrEqual(slackLimits.fieldText);
    const elements = (block.elements ?? []) as Array<{ text?: unknown; action_id?: string }>;
    if (block.type === 'actions') expect(elements.length).toBeLessThanOrEqual(slackLimits.elementsPerActions);
    if (block.type === 'context') expect(elements.length).toBeLessThanOrEqual(slackLimits.elementsPerContext);
    for (const element of elements) {
      if (element.action_id) actionIds.push(element.action_id);
      if (typeof element.text === 'string') expect(element.text.length).toBeLessThanOrEqual(slackLimits.textObject);
    }
  }
  expect(new Set(actionIds).size).toBe(actionIds.length);
}

/** A Discord message body as sent; parts may be left out of a create. */
export interface SentDiscordMessage {
  content?: string | null;
  embeds?: Embed[];
  components?: Array<{ components: unknown[] }>;
}

/** Every limit Discord enforces on a message; a breach here is a message Discord would reject. */
export function expectWithinDiscordLimits(body: SentDiscordMessage): void {
  const embeds = body.embeds ?? [];
  expect(body.content?.length ?? 0).toBeLessThanOrEqual(discordLimits.content);
  expect(embeds.length).toBeLessThanOrEqual(discordLimits.embedsPerMessage);
  expect(embeds.reduce((sum, embed) => sum + embedSize(embed), 0)).toBeLessThanOrEqual(discordLimits.charactersInAllEmbeds);
  for (const embed of embeds) {
    expect(embed.title?.length ?? 0).toBeLessThanOrEqual(discordLimits.title);
    expect(embed.description?.length ?? 0).toBeLessThanOrEqual(discordLimits.description);
    expect(embed.footer?.text.length ?? 0).toBeLessThanOrEqual(discordLimits.footer);
    expect(embed.fields?.length ?? 0).toBeLessThanOrEqual(discordLimits.fieldsPerEmbed);
    for (const field of embed.fields ?? []) {
      expect(field.name.length).toBeLessThanOrEqual(discordLimits.fieldName);
      expect(field.value.length).toBeGreaterThan(0);
      expect(field.value.length).toBeLessThanOrEqual(discordLimits.fieldValue);
    }
  }
  expect(body.components?.length ?? 0).toBeLessThanOrEqual(discordLimits.rowsPerMessage);
  for (const row of body.components ?? []) expect(row.components.length).toBeLessThanOrEqual(discordLimits.buttonsPerRow);
}
