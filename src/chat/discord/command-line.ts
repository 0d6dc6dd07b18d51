import type { CommandSpec } from '../../router/command-spec.js';

/** An option value as Discord delivers it. */
export interface GivenOption {
  name: string;
  value: string | number | boolean;
}

/** The router's command line for a subcommand, or why the options cannot be one. */
export type CommandLine = { ok: true; text: string } | { ok: false; problem: string };

/**
 * Rebuilds the command line the router parses from a Discord subcommand and its options, e.g.
 * `health local-postgres --verbose`: positional arguments in order, then flags (`--flag`/`--no-flag`
 * for booleans), quoting values with spaces or quotes — but a `repeated` argument's text is passed as typed, so its
 * words are split (and quoted) as on the other platforms. Options the spec does not know become flags,
 * so the router names them in its error.
 */
export function commandLineFor(subcommand: string, options: readonly GivenOption[], spec: CommandSpec | undefined): CommandLine {
  const given = new Map(options.map((option) => [option.name, option.value]));
  const positional: string[] = [];
  let dashed = false;
  let gap: string | undefined;
  for (const arg of spec?.args ?? []) {
    const value = given.get(arg.name);
    given.delete(arg.name);
    if (value === undefined) {
      gap ??= arg.name;
      continue;
    }
    if (gap !== undefined) return { ok: false, problem: `Give '${gap}' too when you give '${arg.name}': they are positional in /maint ${subcommand}.` };
    positional.push(arg.repeated ? String(value) : quote(String(value)));
    dashed ||= String(value).startsWith('-') && !/^-\d/.test(String(value));
  }
  const flags: string[] = [];
  for (const [name, value] of given) {
    if (typeof value === 'boolean') flags.push(value ? `--${name}` : `--no-${name}`);
    else flags.push(String(value).startsWith('-') ? `--${name}=${quote(String(value))}` : `--${name} ${quote(String(value))}`);
  }
  const words = dashed ? [subcommand, ...flags, '--', ...positional] : [subcommand, ...positional, ...flags];
  return { ok: true, text: words.join(' ') };
}

function quote(value: string): string {
  if (value !== '' && !/[\s"'\\\u2018\u2019\u201C\u201D]/.test(value)) return value;
  return `"${value.replace(/["\\]/g, (char) => `\\${char}`)}"`;
}
