import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/core/errors.js';
import { CommandCatalog } from '../../src/router/catalog.js';
import { commandSpecSchema, usageLine } from '../../src/router/command-spec.js';
import { unknownCommand } from '../../src/router/help.js';
import { parseArguments } from '../../src/router/parse-arguments.js';
import { userErrorOf } from '../support/user-error.js';
import { parseDuration } from '../../src/core/duration.js';

const vacuum = commandSpecSchema.parse({
  name: 'vacuum',
  summary: 'Vacuum a table',
  roles: ['operator'],
  runbook: 'vacuum',
  args: [
    { name: 'table', required: true, description: 'the table' },
    { name: 'database', description: 'which database' },
  ],
  flags: [
    { name: 'full', short: 'f', type: 'boolean', description: 'rewrite the table' },
    { name: 'limit', type: 'integer', default: 5 },
    { name: 'older-than', type: 'duration' },
    { name: 'mode', choices: ['fast', 'safe'], default: 'safe' },
  ],
});

function failure(words: string[]): UserError {
  return userErrorOf(() => parseArguments(vacuum, words));
}

describe('parseArguments', () => {
  it('maps positional words to arguments and fills defaults', () => {
    expect(parseArguments(vacuum, ['orders']).values).toEqual({ table: 'orders', full: false, limit: 5, mode: 'safe' });
  });

  it('reads --flag value, --flag=value, short and negated flags', () => {
    const parsed = parseArguments(vacuum, ['orders', 'shop', '--limit', '10', '--older-than=2h', '-f', '--mode=fast']);
    expect(parsed.values).toEqual({ table: 'orders', database: 'shop', full: true, limit: 10, 'older-than': 7_200_000, mode: 'fast' });
    expect(parseArguments(vacuum, ['orders', '--no-full']).values.full).toBe(false);
  });

  it('treats everything after -- as positional, even words that look like flags', () => {
    expect(parseArguments(vacuum, ['--', '--weird-table']).values.table).toBe('--weird-table');
  });

  it('understands --dry-run and --help on every command', () => {
    const parsed = parseArguments(vacuum, ['orders', '--dry-run']);
    expect(parsed.common).toEqual({ dryRun: true, help: false });
    expect(parseArguments(vacuum, ['--help']).common.help).toBe(true);
  });

  it('refuses a wrong type with the option, the reason, the value and the usage line', () => {
    const error = failure(['orders', '--limit', 'lots']);
    expect(error.message).toBe("Wrong arguments for 'vacuum': --limit must be a whole number (got 'lots').");
    expect(error.hint).toBe('Usage: /maint vacuum <table> [database] [--full] [--limit N] [--older-than DURATION] [--mode fast|safe]');
  });

  it('reports every problem at once', () => {
    const error = failure(['--limit', '1.5', '--bogus', '--older-than', 'soon', '--mode', 'reckless']);
    expect(error.message).toContain('--limit must be a whole number');
    expect(error.message).toContain('unknown option --bogus (options: --full, --limit, --older-than, --mode)');
    expect(error.message).toContain('--older-than must be a duration such as 30s, 5m, 2h or 1d');
    expect(error.message).toContain('--mode must be one of fast, safe');
    expect(error.message).toContain('missing <table> (the table)');
  });

  it('refuses extra words and a flag without its value', () => {
    expect(failure(['a', 'b', 'c']).message).toContain("too many arguments: 'c'");
    expect(failure(['orders', '--limit']).message).toContain('--limit needs a value');
  });
});

describe('durations', () => {
  it('parses units and combinations into milliseconds', () => {
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('2d')).toBe(172_800_000);
    expect(parseDuration('5 minutes')).toBeUndefined();
    expect(parseDuration('10')).toBeUndefined();
  });
});

describe('unknown commands', () => {
  const catalog = new CommandCatalog([
    vacuum,
    commandSpecSchema.parse({ name: 'health', summary: 'health', roles: ['viewer'], runbook: 'health' }),
    commandSpecSchema.parse({ name: 'restart', summary: 'restart', roles: ['operator'], runbook: 'restart' }),
  ]);

  it('suggests the closest command for a typo', () => {
    expect(unknownCommand(catalog, 'helth').message).toBe("Unknown command 'helth'. Did you mean 'health'? Try /maint help.");
    expect(unknownCommand(catalog, 'restrat').message).toContain("Did you mean 'restart'?");
    expect(unknownCommand(catalog, 'vac').message).toContain("Did you mean 'vacuum'?");
  });

  it('suggests nothing when no command is close', () => {
    expect(unknownCommand(catalog, 'deploy').message).toBe("Unknown command 'deploy'. Try /maint help.");
  });

  it('generates a usage line from the arguments when the file gives none', () => {
    expect(usageLine(catalog.get('health')!)).toBe('/maint health');
  });
});
