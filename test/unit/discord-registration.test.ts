import { describe, expect, it } from 'vitest';
import { completionsFor } from '../../src/chat/discord/autocomplete.js';
import { commandLineFor } from '../../src/chat/discord/command-line.js';
import { buildMaintCommand, RegistrationError } from '../../src/chat/discord/registration.js';
import { CommandCatalog } from '../../src/router/catalog.js';
import { commandSpecSchema, type CommandSpec } from '../../src/router/command-spec.js';
import { parseArguments } from '../../src/router/parse-arguments.js';
import { tokenize } from '../../src/router/tokenize.js';

/** The `complete:` kinds a bot with PostgreSQL, Redis and Docker targets answers. */
const completable = (kind: string): boolean => ['commands', 'targets', 'postgres', 'redis', 'docker', 'containers'].includes(kind);

const spec = (input: Record<string, unknown>): CommandSpec => commandSpecSchema.parse({ roles: ['viewer'], runbook: 'x', summary: 'does a thing', ...input });

const vacuum = spec({
  name: 'vacuum',
  summary: 'Vacuum a table',
  args: [
    { name: 'database', description: 'which database', complete: 'postgres' },
    { name: 'table', required: true, description: '' },
  ],
  flags: [
    { name: 'full', type: 'boolean', description: 'VACUUM FULL (locks the table)' },
    { name: 'workers', type: 'integer', description: 'parallel workers', choices: ['1', '2', '4'] },
    { name: 'ratio', type: 'number', description: 'dead tuple ratio' },
    { name: 'timeout', type: 'duration', description: 'give up after', default: '5m' },
    { name: 'mode', description: 'how', choices: Array.from({ length: 30 }, (_, i) => `mode-${i}`) },
  ],
});

describe('building /maint for Discord from the command files', () => {
  it('maps args and flags to typed options, required first, with choices, autocomplete, filled descriptions and dry-run', () => {
    const command = buildMaintCommand([vacuum], completable);
    expect(command).toMatchObject({ type: 1, name: 'maint' });
    expect(command.options[0]).toEqual({
      type: 1,
      name: 'vacuum',
      description: 'Vacuum a table',
      options: [
        { type: 3, name: 'table', description: 'the table', required: true },
        { type: 3, name: 'database', description: 'which database', required: false, autocomplete: true },
        { type: 5, name: 'full', description: 'VACUUM FULL (locks the table)', required: false },
        { type: 4, name: 'workers', description: 'parallel workers', required: false, choices: [{ name: '1', value: 1 }, { name: '2', value: 2 }, { name: '4', value: 4 }] },
        { type: 10, name: 'ratio', description: 'dead tuple ratio', required: false },
        { type: 3, name: 'timeout', description: 'give up after (e.g. 30s, 5m; default 5m)', required: false },
        { type: 3, name: 'mode', description: 'how', required: false, autocomplete: true },
        { type: 5, name: 'dry-run', description: 'show the plan without running anything', required: false },
      ],
    });
  });

  it('keeps every description within 100 characters', () => {
    const wordy = spec({ name: 'wordy', args: [{ name: 'since', type: 'duration', description: 'x'.repeat(140) }] });
    const description = buildMaintCommand([wordy], completable).options[0]!.options[0]!.description;
    expect(description).toHaveLength(100);
    expect(description.endsWith('… (e.g. 30s, 5m)')).toBe(true);
  });

  it('folds whole groups into subcommand groups, the largest first, when there are more than 25 commands', () => {
    const loose = Array.from({ length: 19 }, (_, i) => spec({ name: `command-${i}` }));
    const redis = ['redis-slowlog', 'redis-memory', 'flush-cache', 'bgsave'].map((name) => spec({ name, group: 'redis' }));
    const backups = ['backup', 'backups', 'restore-test', 'restore-tests', 'restore'].map((name) => spec({ name, group: 'backups' }));
    const command = buildMaintCommand([...loose, ...redis, ...backups], completable);
    expect(command.options).toHaveLength(24);
    expect(command.options.filter((entry) => entry.type === 1).map((entry) => entry.name)).toEqual([...loose.map((entry) => entry.name), 'redis-slowlog', 'redis-memory', 'flush-cache', 'bgsave']);
    const group = command.options.at(-1)!;
    expect(group).toMatchObject({ type: 2, name: 'backups', description: 'backups commands' });
    expect(group.options.map((entry) => entry.name)).toEqual(['backup', 'backups', 'restore-test', 'restore-tests', 'restore']);
    expect(buildMaintCommand([...loose, ...redis], completable).options.every((entry) => entry.type === 1)).toBe(true);
  });

  it('cuts descriptions shorter, at a clause where one is near, when /maint would be over 8000 characters', () => {
    const wordyFlag = (i: number) => ({ name: `flag-${i}`, description: `the PostgreSQL target to use for this, by name (default, the only one configured; see the config reference)` });
    const catalog = Array.from({ length: 20 }, (_, i) => spec({ name: `command-${i}`, summary: 'y'.repeat(100), flags: Array.from({ length: 4 }, (_, j) => wordyFlag(j)) }));
    const command = buildMaintCommand(catalog, completable);
    const descriptions = command.options.flatMap((sub) => [sub.description, ...sub.options.map((item) => item.description)]);
    const total = command.options.reduce((sum, sub) => sum + sub.name.length + sub.description.length + sub.options.reduce((inner, item) => inner + item.name.length + item.description.length, 0), command.name.length + command.description.length);
    expect(total).toBeLessThanOrEqual(8000);
    expect(descriptions.every((text) => text.length < 100)).toBe(true);
    expect(command.options[0]!.options[0]!.description).toBe('the PostgreSQL target to use for this, by name');
    expect(buildMaintCommand([catalog[0]!], completable).options[0]!.options[0]!.description).toBe(wordyFlag(0).description.slice(0, 99) + '…');
  });

  it('refuses a catalog Discord cannot take, naming every problem', () => {
    const many = Array.from({ length: 26 }, (_, i) => spec({ name: `command-${i}` }));
    const longName = spec({ name: 'a-command-name-that-is-far-too-long-for-discord' });
    const clash = spec({ name: 'clash', args: [{ name: 'target' }], flags: [{ name: 'target' }] });
    const tooManyOptions = spec({ name: 'options', flags: Array.from({ length: 26 }, (_, i) => ({ name: `flag-${i}` })) });
    const error = (() => {
      try {
        buildMaintCommand([...many.slice(0, 22), longName, clash, tooManyOptions, many[25]!], completable);
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(RegistrationError);
    expect((error as RegistrationError).problems).toEqual([
      '26 commands, but Discord allows at most 25 subcommands under /maint',
      "command 'a-command-name-that-is-far-too-long-for-discord': Discord names are 1 to 32 lower-case letters, digits, - or _",
      "'clash' has two options named 'target'",
      "'options' has 26 options; Discord allows 25",
    ]);
  });
});

describe('rebuilding the command line from Discord options', () => {
  it('puts positional arguments in order, then flags, with booleans as --flag / --no-flag and quotes around spaces', () => {
    const line = commandLineFor('vacuum', [{ name: 'full', value: true }, { name: 'table', value: 'order items' }, { name: 'database', value: 'main' }, { name: 'workers', value: 2 }, { name: 'dry-run', value: false }], vacuum);
    expect(line).toEqual({ ok: true, text: 'vacuum main "order items" --full --workers 2 --no-dry-run' });
    if (!line.ok) return;
    const [name, ...rest] = tokenize(line.text);
    expect(name).toBe('vacuum');
    expect(parseArguments(vacuum, rest).values).toMatchObject({ database: 'main', table: 'order items', full: true, workers: 2 });
  });

  it('keeps values that start with a dash or hold quotes intact for the router', () => {
    const line = commandLineFor('vacuum', [{ name: 'table', value: '-odd "name"' }, { name: 'database', value: 'main' }, { name: 'ratio', value: -0.5 }], vacuum);
    expect(line.ok).toBe(true);
    if (!line.ok) return;
    const [, ...rest] = tokenize(line.text);
    expect(parseArguments(vacuum, rest).values).toMatchObject({ database: 'main', table: '-odd "name"', ratio: -0.5 });
  });

  it('passes a repeated argument as typed, so its words and quotes split as on Slack', () => {
    const silence = spec({ name: 'silence', runbook: undefined, builtin: 'silence', args: [{ name: 'matchers', required: true, repeated: true }], flags: [{ name: 'for', type: 'duration', required: true }] });
    const line = commandLineFor('silence', [{ name: 'matchers', value: 'host=db-host team=~"pay .*"' }, { name: 'for', value: '2h' }], silence);
    expect(line).toEqual({ ok: true, text: 'silence host=db-host team=~"pay .*" --for 2h' });
    if (!line.ok) return;
    const [, ...rest] = tokenize(line.text);
    expect(parseArguments(silence, rest).values).toEqual({ matchers: ['host=db-host', 'team=~pay .*'], for: 7_200_000 });
  });

  it('says which positional argument is missing when a later one is given', () => {
    expect(commandLineFor('vacuum', [{ name: 'table', value: 'orders' }], vacuum)).toEqual({
      ok: false,
      problem: "Give 'database' too when you give 'table': they are positional in /maint vacuum.",
    });
  });

  it('passes options of an unknown subcommand as flags so the router can name the mistake', () => {
    expect(commandLineFor('helth', [{ name: 'verbose', value: true }], undefined)).toEqual({ ok: true, text: 'helth --verbose' });
  });
});

describe('autocomplete for Discord', () => {
  const catalog = new CommandCatalog([vacuum, spec({ name: 'help', builtin: 'help', runbook: undefined, args: [{ name: 'command', complete: 'commands' }] })]);
  const sources = { commands: catalog, completions: (kind: string) => (kind === 'postgres' ? ['orders-db', 'Orders-replica', 'cache'] : undefined) };

  it('offers target names, command names and long choice lists by typed prefix, ignoring case', () => {
    expect(completionsFor('vacuum', 'database', 'ord', sources).map((choice) => choice.value)).toEqual(['orders-db', 'Orders-replica']);
    expect(completionsFor('help', 'command', 'v', sources)).toEqual([{ name: 'vacuum', value: 'vacuum' }]);
    expect(completionsFor('vacuum', 'mode', 'mode-', sources)).toHaveLength(25);
    expect(completionsFor('nope', 'x', '', sources)).toEqual([]);
  });
});
