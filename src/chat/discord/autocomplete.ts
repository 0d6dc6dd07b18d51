import type { CommandCatalog } from '../../router/catalog.js';

/** Where completions come from. */
export interface CompletionSources {
  commands: CommandCatalog;
  targetNames: () => string[];
}

const maxChoices = 25;
const targetKinds = new Set(['targets', 'postgres', 'redis', 'docker', 'containers']);

/**
 * The choices offered while a user types option `optionName` of `/maint subcommand`: target names,
 * command names, or a long choice list, filtered by the typed prefix (case-insensitive), at most 25.
 */
export function completionsFor(subcommand: string, optionName: string, typed: string, sources: CompletionSources): Array<{ name: string; value: string }> {
  const spec = sources.commands.get(subcommand);
  const item = [...(spec?.args ?? []), ...(spec?.flags ?? [])].find((candidate) => candidate.name === optionName);
  if (!item) return [];
  const candidates =
    item.choices ??
    (item.complete === 'commands' ? sources.commands.all().map((command) => command.name) : item.complete && targetKinds.has(item.complete) ? sources.targetNames() : []);
  const prefix = typed.trim().toLowerCase();
  return [...new Set(candidates)]
    .filter((candidate) => candidate.toLowerCase().startsWith(prefix))
    .slice(0, maxChoices)
    .map((candidate) => ({ name: candidate.slice(0, 100), value: candidate.slice(0, 100) }));
}
