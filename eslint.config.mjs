import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

export default [
  { ignores: ['**/dist', '**/node_modules', '**/.venv', 'libs/contracts/src/generated/**', '**/*.js', '**/*.mjs', '**/vitest.config.ts', 'vitest.shared.ts'] },
  ...tseslint.configs.recommendedTypeChecked.map((c) => ({ ...c, files: ['**/*.ts'] })),
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: true,
          banTransitiveDependencies: false,
          allow: [],
          depConstraints: [
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'scope:contracts', onlyDependOnLibsWithTags: [] },
            { sourceTag: 'scope:method', onlyDependOnLibsWithTags: ['scope:method', 'scope:clients', 'scope:contracts'] },
            { sourceTag: 'scope:clients', onlyDependOnLibsWithTags: ['scope:clients', 'scope:contracts'] },
            { sourceTag: 'scope:persistence', onlyDependOnLibsWithTags: ['scope:persistence', 'scope:method', 'scope:clients', 'scope:contracts'] },
            { sourceTag: 'scope:service-kit', onlyDependOnLibsWithTags: ['scope:service-kit'] },
            { sourceTag: 'scope:dev-stack', onlyDependOnLibsWithTags: ['scope:dev-stack'] },
            { sourceTag: 'scope:jobs', onlyDependOnLibsWithTags: ['scope:jobs', 'scope:persistence', 'scope:method', 'scope:clients', 'scope:contracts'] },
            { sourceTag: 'scope:messaging', onlyDependOnLibsWithTags: ['scope:messaging', 'scope:service-kit', 'scope:clients', 'scope:contracts'] },
          ],
        },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': ['error', { patterns: [{ group: ['../../*'], message: 'Use a workspace alias (@rstar/...) instead of climbing out of the project.' }] }],
    },
  },
  {
    files: ['**/*.spec.ts', '**/test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
];
