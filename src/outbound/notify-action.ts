import { z } from 'zod';
import type { ActionDefinition } from '../core/action.js';
import { didYouMean } from '../core/did-you-mean.js';
import { errorMessage, UserError } from '../core/errors.js';
import type { Notice } from '../core/report.js';
import type { Audiences } from './audiences.js';
import type { OutboundRegistry } from './registry.js';

const inputs = z.object({
  to: z.string().min(1, 'name an audience configured under notify:'),
  text: z.string().min(1, 'say what happened').max(2000, 'keep it under 2000 characters'),
  detail: z.preprocess((value) => (value === '' || value === null ? undefined : value), z.string().max(3000).optional()),
  tone: z.enum(['info', 'error']).default('error'),
});

/** Inputs of `notify`. */
export type NotifyInput = z.output<typeof inputs>;

/**
 * `notify`: posts a message in every channel of a configured audience (`notify.<name>` in the config),
 * through the outbound registry, calling the audience's mentions of each channel's platform. Ignores
 * quiet hours: a runbook notifies because someone must act. Fails when no channel took the post.
 */
export function notifyAction(audiences: Audiences, outbound: OutboundRegistry): ActionDefinition<NotifyInput> {
  const resolve = (name: string) => {
    const audience = audiences[name];
    if (audience) return audience;
    const names = Object.keys(audiences);
    throw new UserError(
      `No audience named ${JSON.stringify(name.slice(0, 64))} to notify${names.length > 0 ? `; configured: ${names.join(', ')}.${didYouMean(name, names)}` : ': none is configured.'}`,
      `Config: notify.${name}: { channels: [{ platform: slack, id: C… }], mention: { slack: { groups: [S…] } } }`,
    );
  };
  return {
    name: 'notify',
    destructive: false,
    inputs,
    outputs: {
      posted: { type: 'number', description: 'how many channels took the post' },
      channels: { type: 'list', description: 'the channels posted in, as platform:id' },
    },
    async plan(input) {
      const audience = resolve(input.to);
      return {
        summary: `post to ${input.to}: ${audience.channels.map((channel) => `${channel.platform} ${channel.id}`).join(', ')}`,
        detail: audience.channels.map((channel) => {
          const mentions = audience.mention[channel.platform] ?? [];
          return `${channel.platform} ${channel.id}: ${mentions.length > 0 ? `calls ${mentions.map((mention) => `${mention.kind} ${mention.id}`).join(', ')}` : 'calls nobody'}`;
        }),
      };
    },
    async run(input, context) {
      const audience = resolve(input.to);
      const posted: string[] = [];
      const failed: string[] = [];
      for (const channel of audience.channels) {
        const mentions = audience.mention[channel.platform] ?? [];
        const message: Notice = {
          kind: 'notice',
          tone: input.tone,
          text: input.text,
          ...(input.detail ? { preformatted: input.detail } : {}),
          ...(mentions.length > 0 ? { mentions } : {}),
        };
        try {
          await outbound.post(channel.platform, channel.id, message);
          posted.push(`${channel.platform}:${channel.id}`);
        } catch (error) {
          failed.push(`${channel.platform}:${channel.id}`);
          context.logger.error({ err: errorMessage(error), platform: channel.platform, channel: channel.id }, 'could not post a runbook notification');
        }
      }
      const output = { posted: posted.length, channels: posted };
      if (posted.length === 0) return { summary: `could not notify ${input.to}`, output, failure: `No channel of ${input.to} took the notification (${failed.join(', ')}); the bot's log says why.` };
      return { summary: `notified ${input.to} in ${posted.join(', ')}${failed.length > 0 ? ` (failed: ${failed.join(', ')})` : ''}`, output };
    },
  };
}
