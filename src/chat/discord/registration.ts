import type { ArgumentSpec, CommandSpec, FlagSpec, ValueType } from '../../router/command-spec.js';
import { truncate } from './message-body.js';

/** Discord's option types used by maintbot. */
export const OptionType = { Subcommand: 1, SubcommandGroup: 2, String: 3, Integer: 4, Boolean: 5, Number: 10 } as const;

/** One option of a subcommand, as registered. */
export interface CommandOptionJson {
  type: (typeof OptionType)[Exclude<keyof typeof OptionType, 'Subcommand' | 'SubcommandGroup'>];
  name: string;
  description: string;
  required: boolean;
  choices?: Array<{ name: string; value: string | number }>;
  autocomplete?: true;
}

/** One subcommand of `/maint`, as registered. */
export interface SubcommandJson {
  type: 1;
  name: string;
  description: string;
  options: CommandOptionJson[];
}

/** Commands of one `group:` under `/maint <group>`, when the catalog has more commands than `/maint` takes. */
export interface SubcommandGroupJson {
  type: 2;
  name: string;
  description: string;
  options: SubcommandJson[];
}

/** The `/maint` chat-input command as sent to Discord. */
export interface MaintCommandJson {
  type: 1;
  name: 'maint';
  description: string;
  options: Array<SubcommandJson | SubcommandGroupJson>;
}

/** The catalog cannot be registered on Discord; `problems` says why, one line each. */
export class RegistrationError extends Error {
  override readonly name = 'RegistrationError';
  constructor(readonly problems: string[]) {
    super(`commands/ cannot be registered as Discord's /maint: ${problems.join('; ')}`);
  }
}

const limits = { subcommands: 25, options: 25, choices: 25, description: 100, name: 32, totalCharacters: 8000 };
const validName = /^[-_\p{Ll}\p{Lo}\p{N}]{1,32}$/u;
const typeOf: Record<ValueType, CommandOptionJson['type']> = {
  string: OptionType.String,
  identifier: OptionType.String,
  duration: OptionType.String,
  integer: OptionType.Integer,
  number: OptionType.Number,
  boolean: OptionType.Boolean,
};

/**
 * Builds `/maint` with one subcommand per command file: positional arguments then flags as typed options
 * (required ones first, as Discord demands), choices or autocomplete (for the `complete:` kinds `completable`
 * says the bot answers), and a `dry-run` option on runbook commands. Discord takes 25 entries under `/maint`:
 * with more commands, whole `group:`s become subcommand groups (`/maint redis redis-memory`), the largest
 * group first, until they fit. Throws `RegistrationError` listing every limit of Discord the catalog breaks.
 */
export function buildMaintCommand(specs: readonly CommandSpec[], completable: (kind: string) => boolean): MaintCommandJson {
  const problems: string[] = [];
  if (specs.length === 0) problems.push('there are no commands');
  const optionProblems: string[] = [];
  const subcommands = specs.map((spec) => subcommand(spec, completable, optionProblems));
  const entries = foldGroups(specs, subcommands);
  if (entries.length > limits.subcommands) {
    problems.push(`${specs.length} commands, but Discord allows at most ${limits.subcommands} subcommands under /maint`);
  }
  problems.push(...optionProblems);
  const command: MaintCommandJson = {
    type: 1,
    name: 'maint',
    description: 'maintbot: health reports, runbooks and approvals for the systems you keep running',
    options: entries,
  };
  const size = characterCount(command);
  if (size > limits.totalCharacters) {
    problems.push(`names, descriptions and choices add up to ${size} characters; Discord allows ${limits.totalCharacters} per command`);
  }
  if (problems.length > 0) throw new RegistrationError(problems);
  return command;
}

/** The subcommands, with whole groups folded into subcommand groups (largest first) while there are more than `/maint` takes. */
function foldGroups(specs: readonly CommandSpec[], subcommands: readonly SubcommandJson[]): Array<SubcommandJson | SubcommandGroupJson> {
  const groupOf = new Map(specs.map((spec) => [spec.name, spec.group]));
  const sizes = new Map<string, number>();
  for (const spec of specs) if (spec.group) sizes.set(spec.group, (sizes.get(spec.group) ?? 0) + 1);
  const folded = new Set<string>();
  let count = subcommands.length;
  for (const [group, size] of [...sizes].sort((a, b) => b[1] - a[1])) {
    if (count <= limits.subcommands) break;
    if (size < 2 || size > limits.subcommands) continue;
    folded.add(group);
    count -= size - 1;
  }
  const entries: Array<SubcommandJson | SubcommandGroupJson> = [];
  const groups = new Map<string, SubcommandGroupJson>();
  for (const sub of subcommands) {
    const group = groupOf.get(sub.name);
    if (group === undefined || !folded.has(group)) {
      entries.push(sub);
      continue;
    }
    let entry = groups.get(group);
    if (!entry) {
      entry = { type: OptionType.SubcommandGroup, name: group, description: `${group} commands`, options: [] };
      groups.set(group, entry);
      entries.push(entry);
    }
    entry.options.push(sub);
  }
  return entries;
}

function subcommand(spec: CommandSpec, completable: (kind: string) => boolean, problems: string[]): SubcommandJson {
  checkName(spec.name, `command '${spec.name}'`, problems);
  const options = [...spec.args.map((arg) => option(arg, 'argument', completable)), ...spec.flags.map((flag) => option(flag, 'flag', completable))];
  if (spec.runbook && !options.some((existing) => existing.name === 'dry-run') && options.length < limits.options) {
    options.push({ type: OptionType.Boolean, name: 'dry-run', description: 'show the plan without running anything', required: false });
  }
  const seen = new Set<string>();
  for (const item of options) {
    checkName(item.name, `option '${item.name}' of '${spec.name}'`, problems);
    if (seen.has(item.name)) problems.push(`'${spec.name}' has two options named '${item.name}'`);
    seen.add(item.name);
    for (const choice of item.choices ?? []) {
      if (typeof choice.value === 'number' && Number.isNaN(choice.value)) problems.push(`choice '${choice.name}' of '${spec.name} ${item.name}' is not a number`);
    }
  }
  if (options.length > limits.options) problems.push(`'${spec.name}' has ${options.length} options; Discord allows ${limits.options}`);
  const ordered = [...options.filter((item) => item.required), ...options.filter((item) => !item.required)];
  return { type: OptionType.Subcommand, name: spec.name, description: describe(spec.summary, `run ${spec.name}`), options: ordered };
}

function option(item: ArgumentSpec | FlagSpec, kind: 'argument' | 'flag', completable: (kind: string) => boolean): CommandOptionJson {
  const suffixes: string[] = [];
  if (item.type === 'duration') suffixes.push('e.g. 30s, 5m');
  if (item.default !== undefined && item.type !== 'boolean') suffixes.push(`default ${String(item.default)}`);
  const fallback = kind === 'flag' && item.type === 'boolean' ? `turn on ${item.name}` : `the ${item.name}`;
  const json: CommandOptionJson = {
    type: typeOf[item.type],
    name: item.name,
    description: describe(item.description, fallback, suffixes),
    required: item.required,
  };
  if (item.choices && item.type !== 'boolean') {
    if (item.choices.length <= limits.choices) {
      json.choices = item.choices.map((choice) => ({
        name: truncate(choice, 100),
        value: json.type === OptionType.String ? truncate(choice, 100) : Number(choice),
      }));
    } else if (json.type === OptionType.String) {
      json.autocomplete = true;
    }
  } else if (item.complete && completable(item.complete) && json.type === OptionType.String) {
    json.autocomplete = true;
  }
  return json;
}

function describe(text: string, fallback: string, suffixes: readonly string[] = []): string {
  const tail = suffixes.length ? ` (${suffixes.join('; ')})` : '';
  const base = text.trim().replace(/\s+/g, ' ') || fallback;
  return `${truncate(base, 100 - tail.length)}${tail}`;
}

function checkName(name: string, what: string, problems: string[]): void {
  if (!validName.test(name)) problems.push(`${what}: Discord names are 1 to ${limits.name} lower-case letters, digits, - or _`);
}

function characterCount(command: MaintCommandJson): number {
  let total = command.name.length + command.description.length;
  const subcommands = command.options.flatMap((entry) => (entry.type === OptionType.SubcommandGroup ? entry.options : [entry]));
  for (const entry of command.options) if (entry.type === OptionType.SubcommandGroup) total += entry.name.length + entry.description.length;
  for (const sub of subcommands) {
    total += sub.name.length + sub.description.length;
    for (const item of sub.options) {
      total += item.name.length + item.description.length;
      for (const choice of item.choices ?? []) total += choice.name.length + String(choice.value).length;
    }
  }
  return total;
}
