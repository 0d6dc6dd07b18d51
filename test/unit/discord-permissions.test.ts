import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { PermissionFlagsBits } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { discordPermissions, discordPermissionsInteger } from '../../src/chat/discord/permissions.js';

const doc = readFileSync(resolve(import.meta.dirname, '../../docs/connect-discord.md'), 'utf8');

describe('the Discord invite URL in docs/connect-discord.md', () => {
  it('grants every permission the bot needs, and nothing more', () => {
    const urls = [...doc.matchAll(/permissions=(\d+)/g)].map((match) => BigInt(match[1]!));
    expect(urls).toHaveLength(2);
    const [documented, older] = urls as [bigint, bigint];
    for (const permission of discordPermissions) {
      expect(documented & permission.bit, `${permission.label} in ${documented}`).toBe(permission.bit);
    }
    expect(documented).toBe(discordPermissionsInteger);
    expect(older & PermissionFlagsBits.EmbedLinks).toBe(0n);
  });

  it('names each permission with the bit discord.js gives it, and derives the sum in the table', () => {
    for (const permission of discordPermissions) {
      expect(PermissionFlagsBits[permission.name as keyof typeof PermissionFlagsBits], permission.name).toBe(permission.bit);
      const row = doc.split('\n').find((line) => line.startsWith(`| ${permission.label} |`));
      expect(row, permission.label).toBeDefined();
      const [, , shift, value] = row!.split('|').map((cell) => cell.trim());
      expect(1n << BigInt(shift!.replace('1 << ', ''))).toBe(permission.bit);
      expect(BigInt(value!)).toBe(permission.bit);
    }
    expect(doc).toContain(`| **sum** | | **${discordPermissionsInteger}** | |`);
  });
});
