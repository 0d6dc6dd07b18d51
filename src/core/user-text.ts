/** How many characters of a user's value any echo shows at most, "…" included. */
export const ECHO_LIMIT = 80;

/** NUL and the other C0 controls, DEL, the C1 controls, and the bidirectional embeddings, overrides and isolates. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const unsafe = /[\u0000-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/;

/**
 * A user's value as it may be echoed in chat or in a log: control and direction characters shown escaped
 * (`\u202E`, `\u001B`), never raw, and at most `ECHO_LIMIT` characters, cut with "…". Reads only as much of
 * the value as it shows, and never returns a slice that keeps a long value alive.
 *
 * @example
 * throw new UserError(`Unknown command '${userText(name)}'.`);
 */
export function userText(value: string, limit = ECHO_LIMIT): string {
  let shown = '';
  let cut = '';
  for (const char of value) {
    const piece = unsafe.test(char) ? escaped(char) : char;
    if (shown.length + piece.length > limit) return `${cut}…`;
    shown += piece;
    if (shown.length < limit) cut = shown;
  }
  return shown;
}

/** The first control or direction character in `value`, escaped (`\u0000`), or undefined when it has none. */
export function unsafeCharacter(value: string): string | undefined {
  const found = unsafe.exec(value);
  return found ? escaped(found[0]) : undefined;
}

/** Text meant for a terminal with every control and direction character escaped, except line breaks and tabs. */
export function withoutControls(text: string): string {
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  return text.replace(/[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/g, escaped);
}

function escaped(char: string): string {
  return `\\u${char.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
}
