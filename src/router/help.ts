import { UserError } from '../core/errors.js';
import { notice, type Notice } from '../core/report.js';
import type { CommandCatalog } from './catalog.js';
import { usageLine, type CommandSpec } from './command-spec.js';

/** `/maint help`: every command with its summary, marking the ones this actor may not run. */
export function helpOverview(catalog: CommandCatalog, roles: readonly string[]): Notice {
  const specs = catalog.all();
  const width = Math.max(...specs.map((spec) => spec.name.length));
  const rows = specs.map((spec) => {
    const allowed = spec.roles.some((role) => roles.includes(role));
    return `${spec.name.padEnd(width)}  ${spec.summary}${allowed ? '' : `  (needs ${spec.roles.join(' or ')})`}`;
  });
  return notice(
    'info',
    'maintbot commands. Type /maint help <command> for its arguments; add --dry-run to any command to see its plan without running it.',
    rows.join('\n'),
  );
}

/** `/maint help <command>`: usage, arguments, options, who may run it, and examples. */
export function helpForCommand(catalog: CommandCatalog, name: string): Notice {
  const spec = catalog.get(name);
  if (!spec) throw unknownCommand(catalog, name);
  return notice('info', `/maint ${spec.name}: ${spec.summary}`, commandDetail(spec));
}

/** The error for a subcommand that does not exist, with the closest real one. */
export function unknownCommand(catalog: CommandCatalog, name: string): UserError {
  const suggestion = catalog.suggest(name);
  return new UserError(`Unknown command '${name}'.${suggestion ? ` Did you mean '${suggestion}'?` : ''} Try /maint help.`);
}

function commandDetail(spec: CommandSpec): string {
  const lines = [`Usage: ${usageLine(spec)}`];
  if (spec.description) lines.push('', spec.description.trim());
  const items = [
    ...spec.args.map((arg) => ({ name: arg.name, text: describe(arg) })),
    ...spec.flags.map((flag) => ({ name: `--${flag.name}${flag.short ? `, -${flag.short}` : ''}`, text: describe(flag) })),
  ];
  if (items.length > 0) {
    const width = Math.max(...items.map((item) => item.name.length));
    lines.push('', ...items.map((item) => `  ${item.name.padEnd(width)}  ${item.text}`));
  }
  lines.push('', `Who may run it: ${spec.roles.join(', ')}`);
  if (spec.examples.length > 0) lines.push('', 'Examples:', ...spec.examples.map((example) => `  ${example}`));
  return lines.join('\n');
}

function describe(item: CommandSpec['args'][number]): string {
  const facts = [item.type === 'string' ? undefined : item.type, item.required ? 'required' : undefined, item.default !== undefined && item.type !== 'boolean' ? `default ${String(item.default)}` : undefined]
    .filter(Boolean)
    .join(', ');
  const choices = item.choices ? ` One of: ${item.choices.join(', ')}.` : '';
  return `${item.description}${facts ? ` (${facts})` : ''}${choices}`.trim();
}
