/** Escapes the three characters Slack's mrkdwn treats as control characters. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Cuts `text` to at most `max` characters, ending in "…" when it was cut. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Wraps text in a code block, cut so the whole block stays within `max` characters. */
export function codeBlock(text: string, max: number): string {
  const fence = '```';
  return `${fence}\n${clip(escapeMrkdwn(text), max - 2 * fence.length - 2)}\n${fence}`;
}

/** Splits lines into chunks whose joined length stays within `max` characters; an overlong line is cut. */
export function chunkLines(lines: readonly string[], max: number): string[] {
  const chunks: string[] = [];
  let current = '';
  for (const raw of lines) {
    const line = clip(raw, max);
    const next = current === '' ? line : `${current}\n${line}`;
    if (next.length > max && current !== '') {
      chunks.push(current);
      current = line;
    } else {
      current = next;
    }
  }
  if (current !== '') chunks.push(current);
  return chunks;
}
