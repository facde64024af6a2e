// @ts-check
/**
 * ESLint for the whole repository, run by `npm run lint` inside `npm test`. The rules encode what
 * the code already does (docs/style.md) and catch the bugs a type checker lets through in an
 * agent that is async end to end: a promise nobody awaits or catches (an unhandled rejection ends
 * the process), a promise passed where a callback's result is ignored, `any` leaking in.
 *
 * Type-aware (typescript-eslint's project service over tsconfig.json). A full run over the repo
 * costs ~35 s of one core (44 s wall on a 2-core machine at load 4.6; longer when it is shared),
 * most of it building the TypeScript program once. The non-type-aware sets take ~9 s but cannot
 * see a floating promise.
 */
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'build/', 'coverage/', 'vendor/', 'node_modules/', '.usp-data/', 'test/fixtures/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: globals.node,
      parserOptions: {
        projectService: { allowDefaultProject: ['vitest.config.ts', 'eslint.config.js'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-var': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      // Both `import type { X }` and `import { type X, y }` are in use; a type-only import says so.
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false }],
      // `let x; ...closures read x...; x = ...` is how a composition root hands itself to callbacks;
      // `({ agent, started } = ...)` may mix a reassigned name with a fresh one.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true, destructuring: 'all' }],
      // Validators match control characters on purpose (credentials, names that must not hold NUL).
      'no-control-regex': 'off',
      // Left off, each for a reason (docs/style.md, "Lint"):
      // `x!` the checker can already prove: 367 findings, harmless, mostly in tests.
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
      // Providers and peers are object literals of closures typed by interfaces with method
      // signatures; passing `sim.stop` on is the house pattern, not a lost `this`.
      '@typescript-eslint/unbound-method': 'off',
      // An `async` method that does not await still turns a throw into a rejection, which callers rely on.
      '@typescript-eslint/require-await': 'off',
      // `String(json.field ?? '')` turns a scalar read from ubus/mmcli JSON into text; the checker types it `{}`.
      '@typescript-eslint/no-base-to-string': 'off',
      // A catch that rethrows folds the cause's message into one naming the setting and the fix.
      'preserve-caught-error': 'off',
      // Rejections pass on what the failed call gave (a stored write failure, an AbortSignal's
      // reason, an ExecFileException): Errors the checker cannot see as such (3 findings, all false).
      '@typescript-eslint/prefer-promise-reject-errors': 'off',
      // `'inet' | 'inet6' | string` documents the known values of an open set.
      '@typescript-eslint/no-redundant-type-constituents': 'off',
    },
  },
  {
    // Tests read JSON from real peers (usp-js, mosquitto, ubus fixtures) and probe with it; the
    // `any` of JSON.parse flowing into an expect() is not worth a cast on every line.
    files: ['test/**'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
    },
  },
  {
    // Plain JavaScript (bin/, tools/*.mjs, the OpenWrt uci-defaults script) is outside tsconfig.json.
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // The launcher is CommonJS (bin/package.json): a CommonJS entry point starts without Node's
    // ES module loader, so require() is how it loads its modules.
    files: ['bin/**/*.js', '**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
