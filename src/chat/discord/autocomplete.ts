import type { CommandCatalog } from '../../router/catalog.js';

/** Where completions come from: the command catalog, and the names of one `complete:` kind (undefined when nothing answers it). */
export interface CompletionSources {
  commands: CommandCatalog;
  completions: (kind: string) => string[] | undefined;
}

const maxChoices = 25;

/**
 * The choices offered while a user types option `optionName` of `/maint subcommand`: its choice list, command
 * names for `complete: commands`, or the names of the option's own kind (`postgres` → PostgreSQL targets,
 * `containers` → container names), filtered by the typed prefix (case-insensitive), at most 25.
 */
export function completionsFor(subcommand: string, optionName: string, typed: string, sources: CompletionSources): Array<{ name: string; value: string }> {
  const spec = sources.commands.get(subcommand);
  const item = [...(spec?.args ?? []), ...(spec?.flags ?? [])].find((candidate) => candidate.name === optionName);
  if (!item) return [];
  const candidates = item.choices ?? (item.complete === 'commands' ? sources.commands.all().map((command) => command.name) : item.complete ? (sources.completions(item.complete) ?? []) : []);
  const prefix = typed.trim().toLowerCase();
  return [...new Set(candidates)]
    .filter((candidate) => candidate.toLowerCase().startsWith(prefix))
    .slice(0, maxChoices)
    .map((candidate) => ({ name: candidate.slice(0, 100), value: candidate.slice(0, 100) }));
}
