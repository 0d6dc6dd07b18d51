// A module resolve hook (node:module register) that appends each resolved URL of @kubernetes/client-node to a file.
import { appendFileSync } from 'node:fs';

let file;

export async function initialize(data) {
  file = data.file;
}

export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  if (result.url.includes('/node_modules/@kubernetes/client-node/')) appendFileSync(file, `${result.url}\n`);
  return result;
}
