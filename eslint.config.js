// @ts-check
import js from '@eslint/js'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  {
    ignores: ['dist/**', 'node_modules/**', 'bench/results/**', 'intelmesh-data/**', 'coverage/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
    },
  },
  {
    // Only the composition root (cli) and tests pick a store adapter.
    files: ['src/**/*.ts'],
    ignores: ['src/cli/**', '**/*.test.ts', 'src/store/sqlite/**', 'src/store/postgres/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/store/sqlite/*', '**/store/postgres/*'],
              message: 'Only cli and tests import a store adapter.',
            },
          ],
        },
      ],
    },
  },
  {
    // The pure core never does I/O and never reaches up the layers.
    files: ['src/stix/**/*.ts', 'src/pattern/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                'node:fs',
                'node:fs/*',
                'fs',
                'node:net',
                'node:http',
                'node:https',
                'node:child_process',
              ],
              message: 'The pure core does no I/O.',
            },
            {
              group: [
                '**/store/**',
                '**/taxii/**',
                '**/cli/**',
                '**/sharing/**',
                '**/sync/**',
                '**/query/**',
                '**/ingest/**',
              ],
              message: 'The pure core depends on nothing above it.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: { process: 'readonly', console: 'readonly' },
    },
  },
)
