import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * Import boundaries of src/, enforced with `no-restricted-imports` per folder (see README, Architecture):
 * - a chat library only in src/chat/;
 * - a system's client library only in its folder under src/systems/ (and the bot's own store and audit trail);
 * - no file under src/systems/<a>/ imports from src/systems/<b>/ (src/systems/index.ts and registry.ts fold the list).
 * Flat config replaces, not merges, a rule's options, so each folder gets one block with all its restrictions.
 */

const chatMessage = 'Only src/chat/ may import a chat platform library.';
const chatLibraries = {
  paths: [{ name: 'discord.js', message: chatMessage }],
  patterns: [{ group: ['@slack/*', '@discordjs/*'], message: chatMessage }],
};

/** Client libraries and the folders that may import them: the system's own, and the bot's own store and audit trail. */
const clientLibraries = [
  { name: 'pg', owners: ['src/systems/postgres', 'src/audit'] },
  { name: 'ioredis', owners: ['src/systems/redis', 'src/store'] },
  { name: 'dockerode', owners: ['src/systems/docker'] },
  { name: '@kubernetes/client-node', owners: ['src/systems/kubernetes'], subpaths: true },
  { name: 'mysql2', owners: ['src/systems/mysql'], subpaths: true },
];

const systemNames = readdirSync(join(import.meta.dirname, 'src', 'systems'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);

/** The deepest folder nesting inside one system folder that gets the cross-system rule. */
const deepestNesting = 5;

function clientPaths(folder) {
  return clientLibraries
    .filter((library) => !library.owners.includes(folder))
    .map((library) => ({ name: library.name, message: `Only ${library.owners.join('/ and ')}/ may import ${library.name}.` }));
}

/** Deep imports (`@kubernetes/client-node/dist/…`) of the libraries that have them. */
function clientSubpathPatterns(folder) {
  return clientPaths(folder)
    .filter((path) => clientLibraries.find((library) => library.name === path.name)?.subpaths)
    .map((path) => ({ group: [`${path.name}/*`], message: path.message }));
}

function restrictions(folder, { chat = false, patterns = [] } = {}) {
  return [
    'error',
    {
      paths: [...clientPaths(folder), ...(chat ? [] : chatLibraries.paths)],
      patterns: [...(chat ? [] : chatLibraries.patterns), ...clientSubpathPatterns(folder), ...patterns],
    },
  ];
}

/** Relative imports from a file `depth` folders below src/systems/<system>/ that land in another system's folder. */
function otherSystemPatterns(system, depth) {
  const up = (count) => `(\\.\\./){${count}}`;
  const message = `A system reaches another only through an interface in src/core/ (src/systems/${system}/ imports from another system folder).`;
  return [
    { regex: `^${up(depth + 1)}(?!\\.\\./)(?!${system}(/|$))`, message },
    { regex: `^${up(depth + 2)}systems/(?!${system}(/|$))`, message },
    { regex: `^${up(depth + 3)}src/systems/(?!${system}(/|$))`, message },
  ];
}

const systemBlocks = systemNames.flatMap((system) =>
  Array.from({ length: deepestNesting + 1 }, (_, depth) => ({
    files: [`src/systems/${system}/${'*/'.repeat(depth)}*.ts`],
    rules: { 'no-restricted-imports': restrictions(`src/systems/${system}`, { patterns: otherSystemPatterns(system, depth) }) },
  })),
);

const ownerBlocks = ['src/audit', 'src/store'].map((folder) => ({
  files: [`${folder}/**/*.ts`],
  rules: { 'no-restricted-imports': restrictions(folder) },
}));

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'test-results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': 'off',
    },
  },
  { files: ['src/**/*.ts'], rules: { 'no-restricted-imports': restrictions('src') } },
  { files: ['src/chat/**/*.ts'], rules: { 'no-restricted-imports': restrictions('src/chat', { chat: true }) } },
  ...ownerBlocks,
  ...systemBlocks,
);
