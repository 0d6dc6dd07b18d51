import { createPublicKey, verify, type KeyObject } from 'node:crypto';

/** The DER prefix of an Ed25519 SubjectPublicKeyInfo; the raw 32-byte key follows it. */
const ed25519SpkiPrefix = Buffer.from('302a300506032b6570032100', 'hex');

/** How far a signed timestamp may be from this machine's clock, either way, before the request counts as replayed. */
export const signatureToleranceSeconds = 300;

/** The application's Ed25519 public key from its 64 hex characters (General Information → Public Key); undefined when it is not one. */
export function interactionPublicKey(hex: string): KeyObject | undefined {
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) return undefined;
  try {
    return createPublicKey({ key: Buffer.concat([ed25519SpkiPrefix, Buffer.from(hex, 'hex')]), format: 'der', type: 'spki' });
  } catch {
    return undefined;
  }
}

/** The two headers Discord signs every interaction request with. */
export interface InteractionSignature {
  /** `X-Signature-Ed25519`: 128 hex characters. */
  signature: string | undefined;
  /** `X-Signature-Timestamp`: Unix seconds. */
  timestamp: string | undefined;
}

/**
 * True when `key` signed `timestamp + body` as the headers say (Discord's rule for its Interactions Endpoint
 * URL) and the timestamp lies within `signatureToleranceSeconds` of `nowMs`; false for anything missing,
 * malformed, stale or wrong.
 */
export function signedByDiscord(key: KeyObject, headers: InteractionSignature, body: Buffer, nowMs = Date.now()): boolean {
  const { signature, timestamp } = headers;
  if (!signature || !timestamp || !/^[0-9a-fA-F]{128}$/.test(signature) || !/^\d{1,12}$/.test(timestamp)) return false;
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > signatureToleranceSeconds) return false;
  return verify(null, Buffer.concat([Buffer.from(timestamp, 'utf8'), body]), key, Buffer.from(signature, 'hex'));
}
