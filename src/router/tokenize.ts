import { UserError } from '../core/errors.js';
import { userText } from '../core/user-text.js';
import { formatCount } from '../render/figures.js';

/** The longest command line maintbot reads, in bytes of UTF-8; a longer one is refused before anything else. */
export const MAX_COMMAND_BYTES = 4096;

/** True when a command line is longer than `MAX_COMMAND_BYTES`. */
export function commandTooLong(line: string): boolean {
  return line.length > MAX_COMMAND_BYTES / 3 && Buffer.byteLength(line) > MAX_COMMAND_BYTES;
}

/** Refuses a command line longer than `MAX_COMMAND_BYTES`, without echoing any of it. */
export function checkCommandLength(line: string): void {
  if (!commandTooLong(line)) return;
  throw new UserError(
    `That command line is ${formatCount(Buffer.byteLength(line))} bytes long; maintbot reads at most ${formatCount(MAX_COMMAND_BYTES)}. Nothing was run.`,
    'Shorten it: names and values of commands are short.',
  );
}

/**
 * Splits a command line into words the way a shell would for quoting: "double" and 'single' quotes
 * group words, a backslash escapes the next character outside single quotes. Chat clients' curly
 * quotes count as straight ones.
 */
export function tokenize(line: string): string[] {
  const text = line.replace(/[\u201C\u201D]/g, '"').replace(/[\u2018\u2019]/g, "'");
  const words: string[] = [];
  let current = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (quote) {
      if (char === quote) quote = undefined;
      else if (char === '\\' && quote === '"' && i + 1 < text.length) current += text[++i];
      else current += char;
      continue;
    }
    if (char === '"' || char === "'") {
      quote = char;
      inWord = true;
    } else if (char === '\\' && i + 1 < text.length) {
      current += text[++i];
      inWord = true;
    } else if (/\s/.test(char)) {
      if (inWord) words.push(current);
      current = '';
      inWord = false;
    } else {
      current += char;
      inWord = true;
    }
  }
  if (quote) throw new UserError(`Unclosed ${quote === '"' ? 'double' : 'single'} quote in: ${userText(line.trim())}`, 'Close the quote, or escape it with a backslash.');
  if (inWord) words.push(current);
  return words;
}
