import { UserError } from '../core/errors.js';
import { userText } from '../core/user-text.js';
import { notice, type Notice } from '../core/report.js';
import type { CommandCatalog } from './catalog.js';
import { commandGroups, usageLine, type CommandGroup, type CommandSpec } from './command-spec.js';

const groupTitles: Record<CommandGroup | 'other', string> = {
  status: 'Status',
  containers: 'Containers',
  kubernetes: 'Kubernetes',
  postgres: 'PostgreSQL',
  databases: 'PostgreSQL and MySQL',
  redis: 'Redis',
  backups: 'Backups',
  approvals: 'Approvals',
  alerts: 'Alerts',
  schedules: 'Schedules',
  other: 'Other',
};

/**
 * `/maint help`: the commands by group, one short line each, marking those this actor may not run; short
 * enough for one message on every platform however many commands there are, with `help <command>` for details.
 */
export function helpOverview(catalog: CommandCatalog, roles: readonly string[]): Notice {
  const listed = catalog.all().filter((spec) => spec.builtin !== 'help');
  const denied = new Set(listed.filter((spec) => !spec.roles.some((role) => roles.includes(role))).map((spec) => spec.roles.join(' or ')));
  const byGroup = new Map<CommandGroup | 'other', string[]>();
  for (const group of [...commandGroups, 'other' as const]) {
    const names = listed
      .filter((spec) => (spec.group ?? 'other') === group)
      .map((spec) => (spec.roles.some((role) => roles.includes(role)) ? spec.name : `${spec.name}*`));
    if (names.length > 0) byGroup.set(group, names);
  }
  const width = Math.max(0, ...[...byGroup.keys()].map((group) => groupTitles[group].length));
  const rows = [...byGroup].map(([group, names]) => `${groupTitles[group].padEnd(width)}  ${names.join(', ')}`);
  if (denied.size === 1) rows.push('', `* needs ${[...denied][0]!}`);
  else if (denied.size > 1) rows.push('', '* needs a role you do not have; /maint help <command> says which');
  return notice(
    'info',
    'maintbot commands. /maint help <command> explains one (arguments, who may run it, examples); add --dry-run to any command to see its plan without running it.',
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
  return new UserError(`Unknown command '${userText(name)}'.${suggestion ? ` Did you mean '${suggestion}'?` : ''} Try /maint help.`);
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
