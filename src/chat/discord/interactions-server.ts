import type { KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InteractionResponseType, InteractionType, type APIInteraction } from 'discord.js';
import type { Logger } from 'pino';
import { errorMessage } from '../../core/errors.js';
import { signedByDiscord } from './signature.js';
import type { InteractionResponse, Respond } from './webhook-transport.js';

/** Where Discord posts interactions: the path of the Interactions Endpoint URL. */
export const interactionsPath = '/discord/interactions';

/** Larger bodies are refused unread; an interaction is a few kilobytes. */
const maxBodyBytes = 1024 * 1024;

/** What the interactions endpoint needs. */
export interface InteractionsServerOptions {
  port: number;
  /** The interface to listen on (default: all). */
  host?: string;
  publicKey: KeyObject;
  logger: Logger;
  /**
   * Handles one verified interaction (not a PING). `respond` answers Discord's request; when the returned
   * promise settles without it, the request is answered 500 so it does not hang.
   */
  onInteraction(interaction: APIInteraction, respond: Respond): Promise<void>;
}

/** The listening endpoint. */
export interface InteractionsServer {
  port: number;
  listening(): boolean;
  close(): Promise<void>;
}

/**
 * Serves `POST /discord/interactions`. Every request must carry Discord's Ed25519 signature of its timestamp
 * and raw body (`X-Signature-Ed25519`, `X-Signature-Timestamp`) under the application's public key: one
 * without, with a wrong or a stale one is answered 401 before its body is parsed. A PING is answered PONG.
 */
export async function startInteractionsServer(options: InteractionsServerOptions): Promise<InteractionsServer> {
  const server = createServer((request, response) => {
    void answer(request, response, options).catch((error: unknown) => {
      options.logger.error({ code: 'DISCORD_INTERACTION_FAILED', err: errorMessage(error) }, 'could not answer a Discord interaction request');
      if (!response.headersSent) send(response, 500, { message: 'internal error' });
      else response.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    listening: () => server.listening,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function answer(request: IncomingMessage, response: ServerResponse, options: InteractionsServerOptions): Promise<void> {
  if ((request.url ?? '/').split('?')[0] !== interactionsPath) return send(response, 404, { message: `not found: Discord interactions go to ${interactionsPath}` });
  if (request.method !== 'POST') return send(response, 405, { message: 'only POST' }, { allow: 'POST' });
  const body = await readBody(request);
  if (body === undefined) return send(response, 413, { message: 'body too large' });
  const signature = { signature: header(request, 'x-signature-ed25519'), timestamp: header(request, 'x-signature-timestamp') };
  if (!signedByDiscord(options.publicKey, signature, body)) {
    options.logger.warn({ code: 'DISCORD_BAD_SIGNATURE', signed: signature.signature !== undefined }, 'refused an interaction request without a valid Discord signature');
    return send(response, 401, { message: 'invalid request signature' });
  }
  let interaction: APIInteraction;
  try {
    interaction = JSON.parse(body.toString('utf8')) as APIInteraction;
  } catch {
    return send(response, 400, { message: 'the body is not JSON' });
  }
  if (interaction.type === InteractionType.Ping) return send(response, 200, { type: InteractionResponseType.Pong });
  let answered = false;
  const respond: Respond = (reply: InteractionResponse) => {
    if (answered) return Promise.reject(new Error('the interaction request was already answered'));
    answered = true;
    return new Promise<void>((resolve) => {
      response.once('close', resolve);
      send(response, 200, reply, {}, resolve);
    });
  };
  try {
    await options.onInteraction(interaction, respond);
  } catch (error) {
    options.logger.error({ code: 'DISCORD_INTERACTION_FAILED', interaction: interaction.id, err: errorMessage(error) }, 'could not answer a Discord interaction');
  }
  if (!answered) {
    answered = true;
    send(response, 500, { message: 'the interaction was not answered' });
  }
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

async function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > maxBodyBytes) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function send(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}, sent?: () => void): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body), sent);
}
