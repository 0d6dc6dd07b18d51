import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { interactionPublicKey, signatureToleranceSeconds, signedByDiscord } from '../../src/chat/discord/signature.js';
import { loadConfig } from '../../src/config/load.js';
import { configSchema } from '../../src/config/schema.js';
import { useTempDir, writeText } from '../support/temp.js';

const tempDir = useTempDir();
const { privateKey, publicKey } = generateKeyPairSync('ed25519');
/** The public key as the Developer Portal shows it: the raw 32 bytes in hex. */
const portalKey = Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url').toString('hex');
const now = Date.UTC(2026, 0, 15, 14, 5);
const timestamp = String(now / 1000);
const body = Buffer.from('{"type":2,"id":"1","data":{"name":"maint"}}');

function signature(text: string, key: KeyObject = privateKey): string {
  return sign(null, Buffer.from(text), key).toString('hex');
}

describe("Discord's Ed25519 request signature", () => {
  const key = interactionPublicKey(portalKey)!;

  it('accepts the signature of timestamp + raw body under the portal key', () => {
    expect(key).toBeDefined();
    expect(signedByDiscord(key, { signature: signature(timestamp + body.toString()), timestamp }, body, now)).toBe(true);
    expect(signedByDiscord(interactionPublicKey(portalKey.toUpperCase())!, { signature: signature(timestamp + body.toString()).toUpperCase(), timestamp }, body, now)).toBe(true);
  });

  it('refuses a missing header, another key, another body, another timestamp and malformed hex', () => {
    const good = signature(timestamp + body.toString());
    expect(signedByDiscord(key, { signature: undefined, timestamp }, body, now)).toBe(false);
    expect(signedByDiscord(key, { signature: good, timestamp: undefined }, body, now)).toBe(false);
    expect(signedByDiscord(key, { signature: signature(timestamp + body.toString(), generateKeyPairSync('ed25519').privateKey), timestamp }, body, now)).toBe(false);
    expect(signedByDiscord(key, { signature: good, timestamp }, Buffer.from(`${body.toString()} `), now)).toBe(false);
    expect(signedByDiscord(key, { signature: good, timestamp: String(now / 1000 + 1) }, body, now)).toBe(false);
    expect(signedByDiscord(key, { signature: good.slice(0, 126), timestamp }, body, now)).toBe(false);
    expect(signedByDiscord(key, { signature: `${good.slice(0, 126)}zz`, timestamp }, body, now)).toBe(false);
    expect(signedByDiscord(key, { signature: good, timestamp: '1e9' }, body, now)).toBe(false);
  });

  it('refuses a correctly signed request whose timestamp is further from the clock than the tolerance, either way', () => {
    for (const offset of [-(signatureToleranceSeconds + 1), signatureToleranceSeconds + 1]) {
      const stamped = String(now / 1000 + offset);
      expect(signedByDiscord(key, { signature: signature(stamped + body.toString()), timestamp: stamped }, body, now)).toBe(false);
    }
    const edge = String(now / 1000 - signatureToleranceSeconds);
    expect(signedByDiscord(key, { signature: signature(edge + body.toString()), timestamp: edge }, body, now)).toBe(true);
  });

  it('takes only 64 hex characters as a public key, in the config and when building the key', () => {
    expect(interactionPublicKey(portalKey.slice(2))).toBeUndefined();
    expect(interactionPublicKey(`${portalKey.slice(2)}zz`)).toBeUndefined();
    expect(() => configSchema.parse({ chat: { discord: { mode: 'http', public_key: 'not-a-key' } } })).toThrow(/public key: 64 hex characters \(General Information → Public Key\)/);
    const parsed = configSchema.parse({ chat: { discord: { token: 'a.b.c', mode: 'http', public_key: portalKey } } });
    expect(parsed.chat.discord).toMatchObject({ mode: 'http', public_key: portalKey, port: 3001 });
    expect(configSchema.parse({}).chat.discord).toMatchObject({ mode: 'gateway' });
  });

  it('reads the public key from DISCORD_PUBLIC_KEY when the file leaves it out', async () => {
    const path = await writeText(await tempDir(), 'discord.yaml', 'chat:\n  discord:\n    mode: http\n');
    const config = await loadConfig(path, { DISCORD_TOKEN: 'a.b.c', DISCORD_APPLICATION_ID: '42', DISCORD_PUBLIC_KEY: portalKey });
    expect(config.chat.discord).toMatchObject({ enabled: 'auto', mode: 'http', public_key: portalKey, application_id: '42' });
  });
});
