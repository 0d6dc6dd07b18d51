import { maskUrl } from '../core/mask.js';

/** A database URL fit for a message or a log: password hidden in the user info and the query string. */
export function describeDatabaseUrl(url: string): string {
  return maskUrl(url).replace(/([?&](?:ssl)?password=)[^&#]*/gi, '$1***');
}

/** Removes the URL's password from a text, in case a driver message repeats it. */
export function withoutPassword(text: string, url: string): string {
  const passwords = new Set<string>();
  try {
    const parsed = new URL(url);
    for (const value of [parsed.password, parsed.searchParams.get('password') ?? '', parsed.searchParams.get('sslpassword') ?? '']) {
      if (value) passwords.add(value).add(safeDecode(value));
    }
  } catch {
    return text;
  }
  let out = text;
  for (const password of passwords) if (password) out = out.split(password).join('***');
  return out;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
