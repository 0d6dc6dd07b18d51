import { createPublicKey, verify } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DISCORD_FIXTURE, startFakeDiscord, type FakeDiscord } from './discord/index.js';

const { channels, users } = DISCORD_FIXTURE;

let fake: FakeDiscord;
let server: Server;
let url: string;
/** What the endpoint below received, and whether the fake's public key verified it. */
let received: Array<{ verified: boolean; body: Record<string, unknown> }>;
/** The answer the endpoint gives to the next interaction. */
let answer: unknown;

async function read(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

beforeEach(async () => {
  fake = await startFakeDiscord();
  const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(fake.publicKey, 'hex').toString('base64url') }, format: 'jwk' });
  received = [];
  server = createServer((request, response) => {
    void read(request).then((raw) => {
      const signature = String(request.headers['x-signature-ed25519'] ?? '');
      const timestamp = String(request.headers['x-signature-timestamp'] ?? '');
      const verified = signature !== '' && verify(null, Buffer.concat([Buffer.from(timestamp), raw]), key, Buffer.from(signature, 'hex'));
      received.push({ verified, body: JSON.parse(raw.toString()) as Record<string, unknown> });
      response.writeHead(verified ? 200 : 401, { 'content-type': 'application/json' }).end(JSON.stringify(verified ? answer : { message: 'bad signature' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/discord/interactions`;
});

afterEach(async () => {
  await fake.close();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('fake Discord posting HTTP interactions to an Interactions Endpoint URL', () => {
  it('signs with the key whose public half it publishes, and signs nothing or wrongly when asked', async () => {
    expect(fake.publicKey).toMatch(/^[0-9a-f]{64}$/);
    answer = { type: 1 };
    expect(await fake.ping(url)).toMatchObject({ status: 200, body: { type: 1 } });
    expect(await fake.postSigned(url, { type: 1 }, { signature: 'none' })).toMatchObject({ status: 401 });
    expect(await fake.postSigned(url, { type: 1 }, { signature: 'other-key' })).toMatchObject({ status: 401 });
    expect(await fake.postSigned(url, { type: 1 }, { signature: 'tampered' })).toMatchObject({ status: 401 });
    expect(received.map((entry) => entry.verified)).toEqual([true, false, false, false]);
    expect(received[0]!.body).toMatchObject({ type: 1, application_id: fake.applicationId });
  });

  it('applies the answer as the initial response and serves the interaction webhook after it', async () => {
    fake.deliverOverHttp(url);
    answer = { type: 5 };
    const sent = await fake.sendChatCommand({ subcommand: 'health', user: users.bob });
    expect(fake.gatewayFrames()).toEqual([]);
    expect(await fake.waitForCallback(sent.id)).toMatchObject({ type: 5, ephemeral: false, via: 'http-response' });
    expect(await fake.waitForHttpDelivery(sent.id)).toMatchObject({ status: 200, body: { type: 5 } });
    expect(received[0]!.body).toMatchObject({ id: sent.id, type: 2, data: { name: 'maint', options: [{ name: 'health' }] }, member: { user: { id: users.bob } } });

    const edited = await fetch(`${fake.apiBase}/v10/webhooks/${fake.applicationId}/${sent.token}/messages/@original`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ content: 'all ok' }),
    });
    expect(edited.status).toBe(200);
    expect(fake.originalMessage(sent.token)).toMatchObject({ channel_id: channels.ops, content: 'all ok', flags: 0 });
    const followUp = await fetch(`${fake.apiBase}/v10/webhooks/${fake.applicationId}/${sent.token}?wait=true`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ content: 'only you', flags: 64 }),
    });
    expect(await followUp.json()).toMatchObject({ content: 'only you', flags: 64 });
    expect(await fake.waitForRequest('POST', `/webhooks/${fake.applicationId}/${sent.token}`)).toMatchObject({ body: { flags: 64 } });
  });

  it('records a refused delivery and applies nothing', async () => {
    fake.deliverOverHttp(url);
    answer = { type: 4, data: { content: 'hi' } };
    server.removeAllListeners('request');
    server.on('request', (_request, response) => response.writeHead(401).end());
    const sent = await fake.sendChatCommand({ subcommand: 'help' });
    expect(await fake.waitForHttpDelivery(sent.id)).toMatchObject({ status: 401, body: null });
    expect(fake.callbacks()).toEqual([]);
  });
});
