import type { IncomingMessage } from 'node:http';
import type { JsonValue, UploadedFile } from './types.js';

/** A request body reduced to its JSON part and the files that came with it. */
export interface ParsedBody {
  json: JsonValue | null;
  files: UploadedFile[];
}

async function readAll(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function parseMultipart(raw: Buffer, contentType: string): Promise<ParsedBody> {
  const form = await new Response(raw, { headers: { 'content-type': contentType } }).formData();
  const files: UploadedFile[] = [];
  let json: JsonValue | null = null;
  for (const [field, value] of form.entries()) {
    if (typeof value === 'string') {
      if (field === 'payload_json') json = JSON.parse(value) as JsonValue;
      continue;
    }
    files.push({ field, filename: value.name, contentType: value.type, size: value.size });
  }
  return { json, files };
}

/** Reads a JSON or multipart/form-data (`payload_json` + files) body. */
export async function parseBody(request: IncomingMessage): Promise<ParsedBody> {
  const raw = await readAll(request);
  if (raw.length === 0) return { json: null, files: [] };
  const contentType = request.headers['content-type'] ?? '';
  if (contentType.startsWith('multipart/form-data')) return parseMultipart(raw, contentType);
  return { json: JSON.parse(raw.toString('utf8')) as JsonValue, files: [] };
}
