import { UserError } from '../core/errors.js';
import { notice } from '../core/report.js';
import { timeText } from '../core/time.js';
import { userText } from '../core/user-text.js';
import type { BuiltinHandler } from '../router/router.js';
import { matcherText, matchesOne, parseMatcher, type Matcher } from './matchers.js';
import type { Silence, SilenceBook } from './silences.js';

/** What `/maint silence` checks a new silence against. */
export interface SilenceLimits {
  /** The longest `--for`, and as the config gives it (`7d`). */
  maxMs: number;
  maxText: string;
  /** The label names alerts carry (target, system, check, severity and the targets' own), for a note on a likely typo. */
  knownLabels: ReadonlySet<string>;
}

/** `/maint silence <matcher>… --for 2h [--reason …]`: alerts whose labels satisfy every matcher are not posted until it ends. */
export function silenceCommand(book: SilenceBook, limits: SilenceLimits): BuiltinHandler {
  return async ({ invocation, responder, args }) => {
    const matchers = parsedMatchers(Array.isArray(args.values.matchers) ? args.values.matchers : []);
    const forMs = Number(args.values.for);
    if (forMs > limits.maxMs) {
      throw new UserError(`A silence lasts at most ${limits.maxText} (alerts.silence_max); that --for is longer. Nothing was silenced.`, 'for planned work that comes back, use maintenance_windows in the config');
    }
    const reason = typeof args.values.reason === 'string' ? args.values.reason : undefined;
    const now = Date.now();
    const silence = await book.add({ matchers, by: invocation.actor.name, until: now + forMs, ...(reason ? { reason } : {}) }, now);
    const unknown = matchers.map((matcher) => matcher.name).filter((name) => !limits.knownLabels.has(name));
    const note = unknown.length > 0 ? ` No target has the label ${[...new Set(unknown)].join(', ')} (alerts have ${[...limits.knownLabels].sort().join(', ')}).` : '';
    await responder.replyPrivately(
      notice('info', `Silence ${silence.id}: alerts matching ${matchersText(silence)} are not posted until ${timeText(silence.until)}${reason ? ` (${userText(reason)})` : ''}. /maint unsilence ${silence.id} ends it.${note}`),
    );
    return { outcome: 'ok', detail: `silence ${silence.id}: ${matchersText(silence)} until ${new Date(silence.until).toISOString()}${reason ? ` (${userText(reason)})` : ''}` };
  };
}

/** `/maint silences`: the silences in force with id, matchers, who made them, until when and why. */
export function silencesCommand(book: SilenceBook): BuiltinHandler {
  return async ({ responder }) => {
    const silences = await book.active(Date.now());
    if (silences.length === 0) {
      await responder.replyPrivately(notice('info', 'No silences are in force. Make one with /maint silence <matcher>… --for 2h.'));
      return;
    }
    const rows = silences.map((silence) => `${silence.id}  ${matchersText(silence)}  by ${silence.by}  until ${timeText(silence.until)}${silence.reason ? `  ${userText(silence.reason)}` : ''}`);
    await responder.replyPrivately(notice('info', `${silences.length} silence${silences.length === 1 ? '' : 's'} in force. End one with /maint unsilence <id>.`, rows.join('\n')));
  };
}

/** `/maint unsilence <id>`: ends a silence now; alerts it held back that are still open are posted on the next run. */
export function unsilenceCommand(book: SilenceBook): BuiltinHandler {
  return async ({ responder, args }) => {
    const silence = await book.remove(String(args.values.id), Date.now());
    await responder.replyPrivately(notice('info', `You ended silence ${silence.id} (${matchersText(silence)}): alerts it held back that are still open are posted on the next run.`));
    return { outcome: 'ok', detail: `silence ${silence.id} ended: ${matchersText(silence)}` };
  };
}

function parsedMatchers(words: readonly string[]): Matcher[] {
  const problems: string[] = [];
  const matchers: Matcher[] = [];
  for (const word of words) {
    try {
      matchers.push(parseMatcher(word));
    } catch (error) {
      const { message, cause } = error as Error;
      problems.push(cause instanceof Error ? `"${userText(word)}": not a regular expression (${lastClause(cause.message)})` : message.replace(`"${word}"`, `"${userText(word)}"`));
    }
  }
  if (problems.length > 0) throw new UserError(`Not a silence: ${problems.join('; ')}.`, 'labels are target, system, check, severity and the targets\' own; e.g. /maint silence host=db-host check=~"postgres.*" --for 2h');
  if (matchers.every((matcher) => matchesOne(matcher, {}))) {
    throw new UserError('That silence would cover every alert: each of its matchers also matches an alert without the label.', 'add one that names something, e.g. target=main-db or host=db-host');
  }
  return matchers;
}

function matchersText(silence: Pick<Silence, 'matchers'>): string {
  return userText(silence.matchers.map((matcher) => matcherText(matcher)).join(' '));
}

/** "Unterminated group" of "Invalid regular expression: /^(?:(…)$/: Unterminated group", without the pattern it repeats. */
function lastClause(message: string): string {
  return message.slice(message.lastIndexOf(': ') + 2);
}
