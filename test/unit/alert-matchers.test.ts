import { describe, expect, it } from 'vitest';
import { matchersSchema, matchesAll, matcherText, parseMatcher } from '../../src/alerts/matchers.js';

const labels = { target: 'main-db', system: 'postgres', check: 'postgres.connections', severity: 'crit', team: 'payments', host: 'db-host' };

describe('alert matchers', () => {
  it('compares with =, !=, =~ and !~, regular expressions anchored at both ends', () => {
    expect(matchesAll([parseMatcher('target=main-db')], labels)).toBe(true);
    expect(matchesAll([parseMatcher('severity!=crit')], labels)).toBe(false);
    expect(matchesAll([parseMatcher('team=~pay.*'), parseMatcher('check!~redis\\..*')], labels)).toBe(true);
    expect(matchesAll([parseMatcher('team=~pay')], labels)).toBe(false);
    expect(matchesAll([parseMatcher('env=')], labels)).toBe(true);
    expect(matchesAll([], labels)).toBe(true);
  });

  it('takes quoted values and writes them back the same way', () => {
    const matcher = parseMatcher('team="pay ments"');
    expect(matcher.value).toBe('pay ments');
    expect(matcherText(matcher)).toBe('team="pay ments"');
    expect(matcherText(parseMatcher('host = db-host'))).toBe('host=db-host');
  });

  it('explains what a matcher looks like, and a broken regular expression', () => {
    expect(() => parseMatcher('main-db')).toThrow(/expected name=value/);
    expect(() => parseMatcher('team=~(')).toThrow(/team=~\(/);
  });

  it('reads config matchers as a list or a map, a bad one at its own index', () => {
    expect(matchersSchema.parse({ host: 'db-host' })).toMatchObject([{ name: 'host', operator: '=', value: 'db-host' }]);
    const result = matchersSchema.safeParse(['host=db-host', 'oops']);
    expect(result.error?.issues[0]).toMatchObject({ path: [1], message: expect.stringContaining('"oops" is not a matcher') });
  });
});
