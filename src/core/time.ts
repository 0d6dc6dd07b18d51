import type { Message } from './report.js';

/**
 * A moment inside the text of a neutral message, shown to each reader in their own time zone where the
 * platform can (Slack `<!date^…>`, Discord `<t:…>`) and in UTC elsewhere (the terminal, notification
 * fallbacks, code blocks). It is a span encoded in the string, so any text field of a `Message` can carry
 * one without changing its type; only renderers resolve it, with `formatTimes`.
 *
 * @example
 * summary: `Rejected by ${name} at ${timeText(decidedAt)}.`
 */
export function timeText(at: Date | number): string {
  const seconds = Math.floor((typeof at === 'number' ? at : at.getTime()) / 1000);
  return `${open}${seconds}${close}`;
}

/** Replaces every moment in `text` with what `format` makes of it; a moment cut in half by a length limit is dropped. */
export function formatTimes(text: string, format: (at: Date) => string): string {
  if (!text.includes(open) && !text.includes(close)) return text;
  return text.replace(whole, (_, seconds: string) => format(new Date(Number(seconds) * 1000))).replace(broken, '');
}

/** "14:05 UTC": a moment where the reader's own time zone cannot be shown. */
export function utcTime(at: Date): string {
  return `${at.toISOString().slice(11, 16)} UTC`;
}

/** Every moment in the message in UTC: for the terminal and plain-text fallbacks. */
export function timesInUtc(message: Message): Message {
  return mapMessageTexts(message, (text) => formatTimes(text, utcTime));
}

/**
 * Moments in the message's code (`preformatted`, a line's `detail`) in UTC: platforms show their time
 * markup literally inside code blocks.
 */
export function codeTimesInUtc(message: Message): Message {
  const utc = (text: string): string => formatTimes(text, utcTime);
  if (message.kind === 'notice') return message.preformatted === undefined ? message : { ...message, preformatted: utc(message.preformatted) };
  return {
    ...message,
    sections: message.sections.map((section) => ({ ...section, lines: section.lines.map((line) => (line.detail ? { ...line, detail: line.detail.map(utc) } : line)) })),
  };
}

const open = '\uE000';
const close = '\uE001';
const whole = /\uE000(\d+)\uE001/g;
const broken = /\uE000\d*|\uE001/g;

/** The message with `map` applied to every text a person reads in it (titles, lines, notes, details, buttons' labels). */
export function mapMessageTexts(message: Message, map: (text: string) => string): Message {
  const buttons = {
    ...(message.buttons && { buttons: message.buttons.map((button) => ({ ...button, label: map(button.label) })) }),
    ...(message.links && { links: message.links.map((link) => ({ ...link, label: map(link.label) })) }),
  };
  if (message.kind === 'notice') {
    return { ...message, text: map(message.text), ...(message.preformatted !== undefined && { preformatted: map(message.preformatted) }), ...buttons };
  }
  return {
    ...message,
    title: map(message.title),
    ...(message.summary !== undefined && { summary: map(message.summary) }),
    sections: message.sections.map((section) => ({
      ...section,
      title: map(section.title),
      lines: section.lines.map((line) => ({
        ...line,
        label: map(line.label),
        value: map(line.value),
        ...(line.threshold !== undefined && { threshold: map(line.threshold) }),
        ...(line.note !== undefined && { note: map(line.note) }),
        ...(line.detail && { detail: line.detail.map(map) }),
      })),
    })),
    ...(message.context && { context: { ...message.context, ...(message.context.note !== undefined && { note: map(message.context.note) }) } }),
    ...buttons,
  };
}
