// Lint: type-aware typescript-eslint, React hooks, and the import directions of the architecture.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

const nodeOnlyModules = ['node:*', 'fs', 'path', 'os', 'child_process', 'net', 'dgram', 'crypto', 'http', 'https'];

// core/ is plain Node: it never knows about Electron, React or the UI.
const plainNode = [
  { group: ['electron', 'electron/*'], message: 'core/ must not import Electron' },
  {
    group: ['react', 'react-dom', 'react/*', '@mantine/*', '@tanstack/*'],
    message: 'core/ must not import UI libraries',
  },
  { group: ['**/renderer/**', '**/electron/**'], message: 'core/ must not import renderer/ or electron/' },
];
// Capability folders that have an index.ts are used through it by the other capabilities (the contract is a floor).
const capabilitiesWithIndex = readdirSync(join(import.meta.dirname, 'core'), { withFileTypes: true })
  .filter((d) => d.isDirectory() && d.name !== 'contract' && existsSync(join(d.parentPath, d.name, 'index.ts')))
  .map((d) => d.name);
const capabilityBoundaries = [
  {
    regex: '^(\\.\\./)+access(/|$)',
    message: 'services never import a protocol adapter: reach devices through core/device-link',
  },
  {
    regex: `^(\\.\\./)+(${capabilitiesWithIndex.join('|')})/(?!index\\.js$)`,
    message: 'another capability is used through its index.ts, never its files',
  },
];

export default tseslint.config(
  { ignores: ['dist/**', 'release/**', 'node_modules/**', 'test-results/**', 'coverage/**'] },
  // Codec scripts shipped as samples run in the codec sandbox (ES5, platform entry points), not as project code.
  { ignores: ['resources/samples/codecs/**/*.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: {
          allowDefaultProject: ['*.js', '*.mjs', '*.cjs', 'core/bin/*.mjs', 'electron/*.mjs', 'test/*.mjs'],
        },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.mjs', '**/*.js', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        require: 'readonly',
        module: 'writable',
        __dirname: 'readonly',
        setInterval: 'readonly',
      },
    },
  },
  {
    files: ['core/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: plainNode }] },
  },
  {
    // A capability folder owns its tables and service; it reaches others through their index and devices through
    // the device link. The composition root (core/*.ts) and the adapters themselves are exempt.
    files: ['core/*/**/*.ts'],
    ignores: ['core/access/**', 'core/contract/**', 'core/protocols/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [...plainNode, ...capabilityBoundaries] }] },
  },
  {
    // Protocol code is the ground floor: pure, it imports only itself and the contract.
    files: ['core/protocols/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...plainNode,
            {
              regex: '^(\\.\\./){2,}(?!contract/|protocols/)',
              message: 'core/protocols imports only itself and the contract',
            },
          ],
        },
      ],
    },
  },
  {
    // The contract is shared with the renderer: zod only, no Node.
    files: ['core/contract/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: nodeOnlyModules, message: 'core/contract must stay Node-free: the renderer imports it' },
            { regex: '^\\.\\./(?!contract/)', message: 'core/contract may import only itself and zod' },
          ],
        },
      ],
    },
  },
  {
    // Renderer code is checked against the DOM, not Node, by its own tsconfig.
    files: ['renderer/**/*.{ts,tsx}', 'test/unit/renderer/**/*.{ts,tsx}'],
    languageOptions: {
      parserOptions: {
        projectService: false,
        project: ['./tsconfig.renderer.json'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
  },
  {
    // The renderer reaches the core over HTTP: from core/ it imports the contract, or types only.
    files: ['renderer/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: nodeOnlyModules, message: 'the renderer has no Node: ask the core over the API' },
            {
              regex: '^electron(/|$)',
              message: 'the renderer reaches Electron only through window.workbench',
            },
            {
              regex: '^(\\.\\./)+core/(?!contract(/|$))',
              allowTypeImports: true,
              message: 'the renderer imports core/ only as types, or from core/contract',
            },
            {
              regex: '^(\\.\\./)+electron/(?!workbench-api)',
              allowTypeImports: true,
              message: 'the renderer may only import the WorkbenchBridge types from electron/',
            },
          ],
        },
      ],
    },
  },
  {
    // electron/ imports the core only in the process that hosts it.
    files: ['electron/**/*.ts'],
    ignores: ['electron/core-process.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(\\.\\./)+core/(?!config|platform-types)',
              allowTypeImports: true,
              message: 'only electron/core-process.ts runs the core',
            },
            { group: ['react', 'react-dom', '**/renderer/**'], message: 'electron/ does not import the renderer' },
          ],
        },
      ],
    },
  },
  {
    files: ['test/**/*.{ts,tsx}'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  prettier,
);
