import { z } from 'zod';
import { chatPlatforms } from '../chat/index.js';
import { notifySchema } from '../config/chat.js';
import { channelSchemaFor } from './channels.js';

const audienceName = z.string().regex(/^[a-z][a-z0-9-]*$/, 'expected lower-case letters, digits and dashes, starting with a letter');

/**
 * `notify:` in the config: named audiences a runbook's `notify` step posts to (`to: oncall`), each with
 * its channels and, per platform, whom the post calls (a Slack user group or users, a Discord role or users).
 */
export const audiencesSchema = z
  .record(
    audienceName,
    z
      .object({
        channels: z.array(channelSchemaFor(chatPlatforms)).min(1, 'name at least one channel'),
        mention: notifySchema.default({}).describe('per platform, whom the post calls: slack {groups, users}, discord {roles, users}'),
      })
      .strict(),
  )
  .default({});

/** The configured audiences by name. */
export type Audiences = z.output<typeof audiencesSchema>;
