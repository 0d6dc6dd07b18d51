const passwordParameters = ['password', 'sslpassword'];

/**
 * Hides the password of a URL, in the user info and in `password` / `sslpassword` query parameters,
 * e.g. `postgres://app:***@db:5432/app`, for logs and messages.
 */
export function maskUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    for (const key of passwordParameters) if (parsed.searchParams.has(key)) parsed.searchParams.set(key, '***');
    return parsed.toString().replace(/%2A%2A%2A/g, '***');
  } catch {
    return url.replace(/\/\/([^:/@]+):[^@/]*@/, '//$1:***@').replace(/([?&](?:ssl)?password=)[^&#]*/gi, '$1***');
  }
}

/** Removes a URL's password from a text, in case a driver or a tool's error message repeats it. */
export function withoutPassword(text: string, url: string): string {
  const forms = new Set<string>();
  try {
    const parsed = new URL(url);
    for (const value of [parsed.password, ...passwordParameters.map((key) => parsed.searchParams.get(key) ?? '')]) {
      if (!value) continue;
      forms.add(value);
      forms.add(safeDecode(value));
    }
  } catch {
    return text;
  }
  let out = text;
  for (const form of forms) if (form) out = out.split(form).join('***');
  return out;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

const secretPatterns: readonly [RegExp, string][] = [
  [/\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*):[^\s@/]+@/gi, '$1:***@'],
  [/\bxox[a-z]-[A-Za-z0-9-]+/g, 'xox…***'],
  [/\b(Bearer|Basic|Token)\s+[A-Za-z0-9._~+/=-]{8,}/gi, '$1 ***'],
  [/\b((?:ssl)?pass(?:word|wd)?|pwd|secret|token|api[_-]?key|access[_-]?key|client[_-]?secret)(["']?\s*[:=]\s*["']?)[^\s"'&,;]+/gi, '$1$2***'],
];

/**
 * Hides secrets a line of text may carry: URL passwords (`scheme://user:***@`), Slack tokens (`xox…`),
 * `Bearer …` credentials and `password=…`-style assignments (also `secret`, `token`, `api_key`, in `k=v`
 * and `"k": "v"` forms). For log lines and command arguments shown in chat.
 */
export function maskSecrets(text: string): string {
  return secretPatterns.reduce((out, [pattern, replacement]) => out.replace(pattern, replacement), text);
}

/**
 * A push URL (healthchecks.io, Uptime Kuma) with what identifies it hidden: its user info, path and query are
 * secrets there, so only the scheme and host are kept, e.g. `https://hc-ping.com/***`, for logs.
 */
export function maskUrlToken(url: string): string {
  try {
    const parsed = new URL(url);
    const hidden = parsed.pathname.length > 1 || parsed.search !== '' || parsed.username !== '' || parsed.password !== '';
    return `${parsed.protocol}//${parsed.host}${hidden ? '/***' : ''}`;
  } catch {
    return '***';
  }
}
