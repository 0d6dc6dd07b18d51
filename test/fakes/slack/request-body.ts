import type { IncomingMessage } from 'node:http';
import type { JsonObject } from './types.js';

const JSON_ENCODED_FORM_FIELDS = new Set(['blocks', 'attachments', 'metadata']);

/** The whole body of `request` as text. */
export async function readText(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Parses a JSON or form body the way Slack's Web API reads it. */
export function parseBody(raw: string, contentType: string): JsonObject {
  if (raw.length === 0) return {};
  if (contentType.startsWith('application/json')) {
    const parsed: unknown = JSON.parse(raw);
    return isJsonObject(parsed) ? parsed : { value: parsed };
  }
  const body: JsonObject = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    body[key] = JSON_ENCODED_FORM_FIELDS.has(key) ? decodeJsonField(value) : value;
  }
  return body;
}

function decodeJsonField(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/** True for a plain object (not an array or null). */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
