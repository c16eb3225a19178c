// Every APPSYNC_JS file (functions/resolvers) under AWS's own rules for the APPSYNC_JS runtime:
// the recommended set, whose rules (recursion, disallowed methods) need type information: the
// TypeScript project service gives it, with tsconfig.json resolving '@aws-appsync/utils' here.
import appsync from '@aws-appsync/eslint-plugin';
import tsParser from '@typescript-eslint/parser';

const root = `${import.meta.dirname}/../../..`;
const files = ['functions/resolvers/*.js'];

export default [
  {
    files,
    languageOptions: {
      parser: tsParser,
      parserOptions: {
        projectService: {
          allowDefaultProject: files,
          defaultProject: 'tests/deploy/js/tsconfig.json',
        },
        tsconfigRootDir: root,
      },
    },
  },
  { ...appsync.configs.recommended, files },
];
