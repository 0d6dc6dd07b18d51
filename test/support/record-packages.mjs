// Preload (`node --import ./test/support/record-packages.mjs …`): a resolve hook that appends the name of
// every package under node_modules/ a module resolves to, one a line, to the file in MAINTBOT_RECORD_PACKAGES.
import { register } from 'node:module';
import process from 'node:process';

const hook = `
import { appendFileSync } from 'node:fs';
let file;
export async function initialize(data) { file = data.file; }
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  const path = result.url.split('/node_modules/').at(-1);
  if (path !== result.url) appendFileSync(file, (path.startsWith('@') ? path.split('/').slice(0, 2) : path.split('/').slice(0, 1)).join('/') + '\\n');
  return result;
}`;

register(`data:text/javascript,${encodeURIComponent(hook)}`, import.meta.url, { data: { file: process.env.MAINTBOT_RECORD_PACKAGES } });
