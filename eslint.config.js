import js from '@eslint/js';
import tseslint from 'typescript-eslint';

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
  {
    files: ['src/**/*.ts'],
    ignores: ['src/chat/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: '@slack/bolt', message: 'Only src/chat/ may import a chat platform library.' },
            { name: 'discord.js', message: 'Only src/chat/ may import a chat platform library.' },
          ],
          patterns: [{ group: ['@slack/*', '@discordjs/*'], message: 'Only src/chat/ may import a chat platform library.' }],
        },
      ],
    },
  },
);
