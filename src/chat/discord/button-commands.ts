import { createHash } from 'node:crypto';
import { discordLimits } from './message-body.js';

const referencePrefix = 'maint-ref:';

/**
 * Maps button commands to `custom_id`s and back. A command that fits in Discord's 100 characters is
 * its own id; a longer one gets a short id derived from it, remembered in memory (so such a button
 * stops working after a restart, and says so).
 */
export class ButtonCommands {
  private readonly long = new Map<string, string>();

  /** The `custom_id` for a command. */
  idFor = (command: string): string => {
    if (command.length <= discordLimits.customId && !command.startsWith(referencePrefix)) return command;
    const id = `${referencePrefix}${createHash('sha256').update(command).digest('base64url').slice(0, 22)}`;
    this.long.set(id, command);
    return id;
  };

  /** The command a clicked `custom_id` runs (without a leading `/maint`), or undefined for a forgotten short id. */
  commandFor(customId: string): string | undefined {
    const command = customId.startsWith(referencePrefix) ? this.long.get(customId) : customId;
    return command?.replace(/^\s*\/?maint\s+/, '').trim();
  }
}
