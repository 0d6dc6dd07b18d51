import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/core/errors.js';
import { userText, withoutControls } from '../../src/core/user-text.js';
import { CommandCatalog } from '../../src/router/catalog.js';
import { commandSpecSchema } from '../../src/router/command-spec.js';
import { unknownCommand } from '../../src/router/help.js';
import { parseArguments } from '../../src/router/parse-arguments.js';
import { userErrorOf } from '../support/user-error.js';
import { checkCommandLength, tokenize } from '../../src/router/tokenize.js';

const vacuum = commandSpecSchema.parse({
  name: 'vacuum',
  summary: 'Vacuum a table',
  roles: ['operator'],
  runbook: 'vacuum',
  args: [{ name: 'table', required: true, type: 'identifier', max_bytes: 63, qualified: true }],
  flags: [
    { name: 'database', type: 'identifier', max_bytes: 63 },
    { name: 'pod', type: 'identifier', max_chars: 10 },
    { name: 'target' },
    { name: 'older-than', type: 'duration' },
    { name: 'full', type: 'boolean' },
  ],
});

function refusal(words: string[]): UserError {
  return userErrorOf(() => parseArguments(vacuum, words));
}

const usage = 'Usage: /maint vacuum <table> [--database DATABASE] [--pod POD] [--target TARGET] [--older-than DURATION] [--full]';

describe('arguments with control and direction characters', () => {
  it.each([
    ['NUL', 'x\u0000', '\\u0000'],
    ['ESC', '\u001B[31mred', '\\u001B'],
    ['a C1 control', 'a\u0085b', '\\u0085'],
    ['right-to-left override', 'abc\u202Etxt', '\\u202E'],
    ['first strong isolate', '\u2068x', '\\u2068'],
  ])('refuses %s, naming the argument and showing the character escaped, with the usage line', (_what, value, escaped) => {
    const error = refusal([value]);
    expect(error.message).toContain(`table contains the control or direction character ${escaped}`);
    expect(error.message).not.toContain(value);
    expect(error.message).not.toContain('missing <table>');
    expect(error.hint).toBe(usage);
    expect(refusal(['orders', '--target', value]).message).toContain(`--target contains the control or direction character ${escaped}`);
  });
});

describe('limits declared in the command file', () => {
  it('refuses a PostgreSQL name over 63 bytes, counting UTF-8 bytes, each part of schema.name on its own', () => {
    expect(parseArguments(vacuum, ['a'.repeat(63)]).values.table).toBe('a'.repeat(63));
    expect(parseArguments(vacuum, [`${'s'.repeat(63)}.${'t'.repeat(63)}`]).values.table).toHaveLength(127);
    expect(refusal(['a'.repeat(64)]).message).toContain('table is longer than 63 bytes, the longest name the system allows');
    expect(refusal(['é'.repeat(32)]).message).toContain('table is longer than 63 bytes');
    expect(refusal([`public.${'t'.repeat(64)}`]).message).toContain('table is longer than 63 bytes for each part of schema.name');
    expect(refusal(['orders', '--database', 'd'.repeat(64)]).hint).toBe(usage);
  });

  it('counts characters where a system limits characters', () => {
    expect(parseArguments(vacuum, ['orders', '--pod', 'éééééééééé']).values.pod).toBe('éééééééééé');
    expect(refusal(['orders', '--pod', 'p'.repeat(11)]).message).toContain('--pod is longer than 10 characters');
  });

  it('refuses limits on a type that is not an identifier when the command file is read', () => {
    const spec = { name: 'x', summary: 'x', roles: ['admin'], runbook: 'x', args: [{ name: 'a', max_bytes: 5 }] };
    expect(commandSpecSchema.safeParse(spec).error?.issues[0]?.message).toBe('max_bytes, max_chars and qualified are only for type: identifier');
  });

  it('takes durations from 1 s to 365 d and refuses the rest with the usage line', () => {
    expect(parseArguments(vacuum, ['orders', '--older-than', '1s']).values['older-than']).toBe(1000);
    expect(parseArguments(vacuum, ['orders', '--older-than', '365d']).values['older-than']).toBe(365 * 86_400_000);
    for (const bad of ['99999999999d', '366d', '500ms', '0s']) {
      const error = refusal(['orders', '--older-than', bad]);
      expect(error.message).toBe(`Wrong arguments for 'vacuum': --older-than must be between 1s and 365d (got '${bad}').`);
      expect(error.hint).toBe(usage);
    }
  });

  it('refuses an option given twice, naming it', () => {
    const error = refusal(['orders', '--target', 'a', '--target=b']);
    expect(error.message).toBe("Wrong arguments for 'vacuum': --target is given more than once; give it once.");
    expect(error.hint).toBe(usage);
  });
});

describe('echoes of what was typed', () => {
  it('cuts every echoed value to 80 characters with an ellipsis and escapes controls', () => {
    expect(userText('short')).toBe('short');
    expect(userText('a'.repeat(80))).toBe('a'.repeat(80));
    expect(userText('a'.repeat(81))).toBe(`${'a'.repeat(79)}…`);
    expect(userText('a'.repeat(1_000_000))).toHaveLength(80);
    expect(userText('x\u202Ey\u0000')).toBe('x\\u202Ey\\u0000');
    expect(userText('\u001B'.repeat(100))).toBe(`${'\\u001B'.repeat(13)}…`);
    expect(withoutControls('line\n\tnext \u001B[31mred\u202E')).toBe('line\n\tnext \\u001B[31mred\\u202E');
  });

  it('shows at most 80 characters of a value, an extra word or an unknown option in a refusal', () => {
    const long = 'v'.repeat(2000);
    for (const words of [['orders', '--target', `${long}\u0000`], ['orders', long, long, long, long, long], ['orders', `--${long}`], [`${long}.x`]]) {
      const error = refusal(words);
      expect(error.message).not.toContain('v'.repeat(81));
    }
    expect(refusal(['orders', ...Array.from({ length: 50 }, (_, index) => `--bogus${index}`)]).message).toContain('and 45 more problems');
  });

  it('cuts the unknown command and the unclosed quote to 80 characters', () => {
    const catalog = new CommandCatalog([vacuum]);
    expect(unknownCommand(catalog, `${'h'.repeat(500)}\u001B`).message).toBe(`Unknown command '${'h'.repeat(79)}…'. Try /maint help.`);
    expect(() => tokenize(`vacuum "${'q'.repeat(500)}`)).toThrow(`Unclosed double quote in: vacuum "${'q'.repeat(71)}…`);
  });

  it('refuses a command line over 4 KB before reading it, echoing none of it', () => {
    expect(() => checkCommandLength('x'.repeat(4096))).not.toThrow();
    expect(() => checkCommandLength('é'.repeat(2049))).toThrow("That command line is 4,098 bytes long; maintbot reads at most 4,096. Nothing was run.");
    expect(() => checkCommandLength('x'.repeat(1_000_000))).toThrow(/^That command line is 1,000,000 bytes long; maintbot reads at most 4,096\. Nothing was run\.$/);
  });
});
