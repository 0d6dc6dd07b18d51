import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { likelyMeant } from '../core/did-you-mean.js';
import type { ValueProblem } from './yaml-file.js';

/**
 * A key under `approvals.rules` that names no runbook, with a did-you-mean: such a rule would never apply,
 * and a misspelt `restore:` would silently leave restores to the default rule.
 */
export function approvalRuleProblems(raw: unknown, runbooks: readonly string[]): ValueProblem[] {
  const rules = (raw as { approvals?: { rules?: unknown } } | null)?.approvals?.rules;
  if (rules === null || typeof rules !== 'object' || Array.isArray(rules)) return [];
  return Object.keys(rules)
    .filter((name) => !runbooks.includes(name))
    .map((name) => {
      const meant = likelyMeant(name, runbooks);
      const hint = meant === undefined ? `the runbooks are: ${[...runbooks].sort().join(', ')}` : `did you mean '${meant}'?`;
      return { path: ['approvals', 'rules', name], atKey: true, message: `no runbook is named '${name}', so this rule would never apply (${hint})` };
    });
}

/** The `name:` of every runbook file in a folder; files that do not parse are left to the runbook catalog to report. */
export async function runbookNamesIn(dir: string): Promise<string[]> {
  let files: string[];
  try {
    files = (await readdir(dir)).filter((file) => /\.ya?ml$/.test(file));
  } catch {
    return [];
  }
  const names = await Promise.all(
    files.map(async (file) => {
      try {
        const name = (parse(await readFile(join(dir, file), 'utf8')) as { name?: unknown } | null)?.name;
        return typeof name === 'string' ? name : undefined;
      } catch {
        return undefined;
      }
    }),
  );
  return names.filter((name): name is string => name !== undefined);
}
