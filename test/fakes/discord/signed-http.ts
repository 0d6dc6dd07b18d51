import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { request } from 'node:http';
import type { JsonValue } from './types.js';

/**
 * How a post to the bot's Interactions Endpoint URL is signed: `valid` as Discord signs; `none` without the two
 * headers; `other-key` with a key that is not the application's; `tampered` signed for a different body.
 */
export type SignatureKind = 'valid' | 'none' | 'other-key' | 'tampered';

/** How to sign one post. */
export interface SignOptions {
  signature?: SignatureKind;
  /** `X-Signature-Timestamp` in Unix seconds; default now. */
  timestamp?: number;
}

/** The bot's answer to one signed post. */
export interface HttpAnswer {
  url: string;
  /** 0 when the request failed before an answer (`error` says why). */
  status: number;
  /** The JSON answer, or null when it was empty or not JSON. */
  body: JsonValue | null;
  text: string;
  error?: string;
}

/** The application's Ed25519 key pair, as Discord holds it: the public half is shown on General Information. */
export class InteractionSigner {
  readonly #privateKey: KeyObject;
  readonly #otherKey: KeyObject;
  /** The public key as the Developer Portal shows it: 64 hex characters (the raw 32 bytes). */
  readonly publicKey: string;
  readonly #aborts = new AbortController();

  constructor() {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    this.#privateKey = privateKey;
    this.#otherKey = generateKeyPairSync('ed25519').privateKey;
    this.publicKey = Buffer.from(publicKey.export({ format: 'jwk' }).x ?? '', 'base64url').toString('hex');
  }

  /** Posts `body` (a JSON value, or the raw text) to `url` with Discord's headers, signed as `options` says. */
  post(url: string, body: JsonValue | string, options: SignOptions = {}): Promise<HttpAnswer> {
    const raw = typeof body === 'string' ? body : JSON.stringify(body);
    const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
    const kind = options.signature ?? 'valid';
    const signed = kind === 'tampered' ? `${raw} ` : raw;
    const key = kind === 'other-key' ? this.#otherKey : this.#privateKey;
    const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'Discord-Interactions/1.0 (+https://discord.com)' };
    if (kind !== 'none') {
      headers['x-signature-ed25519'] = sign(null, Buffer.from(timestamp + signed, 'utf8'), key).toString('hex');
      headers['x-signature-timestamp'] = timestamp;
    }
    return new Promise((resolve) => {
      const failed = (error: Error): void => resolve({ url, status: 0, body: null, text: '', error: error.message });
      const outgoing = request(url, { method: 'POST', agent: false, headers, signal: this.#aborts.signal }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', failed);
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ url, status: response.statusCode ?? 0, body: parseJson(text), text });
        });
      });
      outgoing.on('error', failed);
      outgoing.end(raw);
    });
  }

  /** Gives up every post still waiting for its answer. */
  abortAll(): void {
    this.#aborts.abort();
  }
}

function parseJson(text: string): JsonValue | null {
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return null;
  }
}
