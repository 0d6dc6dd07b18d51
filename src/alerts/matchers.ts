import { z } from 'zod';

/** How a matcher compares a label: equal, not equal, matches a regular expression, does not match it (Alertmanager's four). */
export type MatchOperator = '=' | '!=' | '=~' | '!~';

/** One `name<op>value` condition on an alert's labels, e.g. `target=main-db`, `severity!=warn`, `team=~pay.*`. */
export interface Matcher {
  name: string;
  operator: MatchOperator;
  value: string;
  /** Present for `=~` and `!~`: the value anchored at both ends, as Alertmanager does. */
  pattern?: RegExp;
}

/**
 * The labels an alert is matched on: `target`, `system`, `check` (the check id, e.g. `postgres.connections`),
 * `severity` (`warn` or `crit`), and the target's own `labels:` (team, env, host…); Prometheus alerts bring theirs.
 */
export type AlertLabels = Readonly<Record<string, string>>;

const matcherSyntax = /^([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*(.*)$/s;

/** Parses `name=value`, `name!=value`, `name=~regex` or `name!~regex`; a value may be quoted. Throws `Error` with a readable reason. */
export function parseMatcher(text: string): Matcher {
  const parsed = matcherSyntax.exec(text.trim());
  if (!parsed) throw new Error(`"${text}" is not a matcher; expected name=value, name!=value, name=~regex or name!~regex, e.g. target=main-db`);
  const [, name, operator, raw] = parsed as unknown as [string, string, MatchOperator, string];
  const value = unquote(raw.trim());
  if (operator === '=~' || operator === '!~') {
    try {
      return { name, operator, value, pattern: new RegExp(`^(?:${value})$`) };
    } catch (error) {
      throw new Error(`"${text}": ${(error as Error).message}`, { cause: error });
    }
  }
  return { name, operator, value };
}

function unquote(value: string): string {
  const quoted = /^"(.*)"$/s.exec(value) ?? /^'(.*)'$/s.exec(value);
  return quoted ? quoted[1]! : value;
}

/** True when `labels` satisfy this one matcher; a missing label counts as the empty string, as in Alertmanager. */
export function matchesOne(matcher: Matcher, labels: AlertLabels): boolean {
  const actual = labels[matcher.name] ?? '';
  switch (matcher.operator) {
    case '=':
      return actual === matcher.value;
    case '!=':
      return actual !== matcher.value;
    case '=~':
      return matcher.pattern!.test(actual);
    case '!~':
      return !matcher.pattern!.test(actual);
  }
}

/** True when `labels` satisfy every matcher (an empty list matches everything). */
export function matchesAll(matchers: readonly Matcher[], labels: AlertLabels): boolean {
  return matchers.every((matcher) => matchesOne(matcher, labels));
}

/** The matcher as written, e.g. `team=~"pay.*"`, for lists and audit entries. */
export function matcherText(matcher: Matcher): string {
  return `${matcher.name}${matcher.operator}${/[\s"]/.test(matcher.value) || matcher.value === '' ? JSON.stringify(matcher.value) : matcher.value}`;
}

/**
 * Matchers in config, as a list of strings (`["host=db-host", "env=~prod|staging"]`) or a map of exact values
 * (`{host: db-host}`); each becomes a `Matcher`, and a bad one is a config problem at its own path.
 */
export const matchersSchema = z
  .union([z.array(z.string().min(1)), z.record(z.string(), z.string())])
  .transform((given, ctx): Matcher[] => {
    const texts = Array.isArray(given) ? given : Object.entries(given).map(([name, value]) => `${name}=${JSON.stringify(value)}`);
    const matchers: Matcher[] = [];
    texts.forEach((text, index) => {
      try {
        matchers.push(parseMatcher(text));
      } catch (error) {
        ctx.addIssue({ code: 'custom', path: Array.isArray(given) ? [index] : [], message: (error as Error).message });
      }
    });
    return matchers;
  });
