import { createRequire } from 'node:module';
import { projectTestConfig } from '../../vitest.shared';

const config = projectTestConfig(import.meta.dirname, {}, { decorators: true });

// graphql ships CJS (main) and ESM (module) builds. Node, and so Nest and Apollo, load the CJS one; Vite would
// give our sources the ESM one, and graphql refuses to mix the two ("from another module or realm").
const graphqlCjs = createRequire(import.meta.url).resolve('graphql');
config.resolve = { ...config.resolve, alias: [...Object.entries(config.resolve?.alias ?? {}).map(([find, replacement]) => ({ find, replacement: String(replacement) })), { find: /^graphql$/, replacement: graphqlCjs }] };

export default config;
