import { UserError } from '../core/errors.js';
import { unsafeCharacter, userText } from '../core/user-text.js';
import { usageLine, type CommandSpec, type FlagSpec } from './command-spec.js';
import { defaultValue, parseValue, type ArgumentValue } from './values.js';

/** Options every command understands, whatever its file says. */
export interface CommonOptions {
  dryRun: boolean;
  help: boolean;
}

/** The validated arguments of one command: positional arguments and flags by name. */
export interface ParsedArguments {
  values: Record<string, ArgumentValue>;
  common: CommonOptions;
}

/**
 * Matches words against a command's positional arguments and `--flags` (`--name value`, `--name=value`,
 * `--flag`, `--no-flag`, `-x`, and `--` to end flags); a `repeated` last argument takes every remaining word. A value with a control or direction character, out
 * of its type's range, or an option given twice is wrong. Every problem is collected and reported at once,
 * with the usage line; values are echoed with `userText`.
 */
export function parseArguments(spec: CommandSpec, words: readonly string[]): ParsedArguments {
  const problems: string[] = [];
  const values: Record<string, ArgumentValue> = {};
  const common: CommonOptions = { dryRun: false, help: false };
  const positional: string[] = [];
  const given = new Set<string>();
  const refused = new Set<string>();
  let flagsEnded = false;

  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (flagsEnded || !word.startsWith('-') || word === '-' || /^-\d/.test(word)) {
      positional.push(word);
      continue;
    }
    if (word === '--') {
      flagsEnded = true;
      continue;
    }
    const { flagName, inlineValue, negated } = splitFlag(word);
    if (flagName === 'dry-run') {
      common.dryRun = inlineValue === undefined ? !negated : /^(true|yes|on)$/i.test(inlineValue);
      continue;
    }
    if (flagName === 'help' || flagName === 'h') {
      common.help = true;
      continue;
    }
    const flag = findFlag(spec.flags, flagName, word.startsWith('--'));
    if (!flag) {
      problems.push(`unknown option ${userText(word.split('=')[0]!)}${spec.flags.length ? ` (options: ${spec.flags.map((f) => `--${f.name}`).join(', ')})` : ''}`);
      continue;
    }
    if (flag.type === 'boolean') {
      if (inlineValue === undefined) values[flag.name] = !negated;
      else addValue(flag, inlineValue, `--${flag.name}`);
      continue;
    }
    if (negated) {
      problems.push(`--no-${flag.name} is only for on/off options`);
      continue;
    }
    const raw = inlineValue ?? words[i + 1];
    if (raw === undefined || (inlineValue === undefined && raw.startsWith('--'))) {
      problems.push(`--${flag.name} needs a value`);
      continue;
    }
    if (inlineValue === undefined) i++;
    if (given.has(flag.name)) {
      problems.push(`--${flag.name} is given more than once; give it once`);
      continue;
    }
    given.add(flag.name);
    addValue(flag, raw, `--${flag.name}`);
  }

  spec.args.forEach((arg, index) => {
    if (arg.repeated) {
      const words = positional.slice(index).map((word) => checkedValue(arg, word, arg.name));
      if (words.length > 0 && !refused.has(arg.name)) values[arg.name] = words.map(String);
      return;
    }
    const raw = positional[index];
    if (raw !== undefined) addValue(arg, raw, arg.name);
  });
  if (positional.length > spec.args.length && spec.args.at(-1)?.repeated !== true) {
    const extra = listedAtMost(positional.slice(spec.args.length).map((word) => `'${userText(word)}'`), 3, 'more').join(', ');
    problems.push(spec.args.length === 0 ? `takes no arguments, got ${extra}` : `too many arguments: ${extra}`);
  }

  const fillDefault = (item: FlagSpec | CommandSpec['args'][number], shownAs: string): void => {
    if (values[item.name] !== undefined || refused.has(item.name)) return;
    const fallback = defaultValue(item);
    if (fallback !== undefined) values[item.name] = fallback;
    else if (item.required && !common.help) problems.push(`missing ${shownAs}${item.description ? ` (${item.description})` : ''}`);
  };
  for (const arg of spec.args) fillDefault(arg, `<${arg.name}>`);
  for (const flag of spec.flags) fillDefault(flag, `--${flag.name}`);

  if (problems.length > 0) {
    throw new UserError(`Wrong arguments for '${spec.name}': ${listedAtMost(problems, 5, 'more problems').join('; ')}.`, `Usage: ${usageLine(spec)}`);
  }
  return { values, common };

  function addValue(item: FlagSpec | CommandSpec['args'][number], raw: string, shownAs: string): void {
    const value = checkedValue(item, raw, shownAs);
    if (value !== undefined) values[item.name] = value;
  }

  function checkedValue(item: FlagSpec | CommandSpec['args'][number], raw: string, shownAs: string): string | number | boolean | undefined {
    const control = unsafeCharacter(raw);
    if (control !== undefined) {
      refused.add(item.name);
      problems.push(`${shownAs} contains the control or direction character ${control}, which no name or value may hold (got '${userText(raw)}')`);
      return undefined;
    }
    const parsed = parseValue(item, raw);
    if (parsed.ok) return parsed.value;
    refused.add(item.name);
    problems.push(`${shownAs} ${parsed.reason} (got '${userText(raw)}')`);
    return undefined;
  }
}

/** The first `count` items, and how many more there are, so that a long line cannot make a long answer. */
function listedAtMost(items: readonly string[], count: number, more: string): string[] {
  return items.length <= count ? [...items] : [...items.slice(0, count), `and ${items.length - count} ${more}`];
}

function splitFlag(word: string): { flagName: string; inlineValue: string | undefined; negated: boolean } {
  const body = word.replace(/^--?/, '');
  const equals = body.indexOf('=');
  const name = equals === -1 ? body : body.slice(0, equals);
  const inlineValue = equals === -1 ? undefined : body.slice(equals + 1);
  if (name.startsWith('no-') && word.startsWith('--')) return { flagName: name.slice(3), inlineValue, negated: true };
  return { flagName: name, inlineValue, negated: false };
}

function findFlag(flags: readonly FlagSpec[], name: string, long: boolean): FlagSpec | undefined {
  return long ? flags.find((flag) => flag.name === name) : flags.find((flag) => flag.short === name);
}
