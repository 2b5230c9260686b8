#!/usr/bin/env node
// Bundles one TypeScript app into dist/apps/<app>/main.js: workspace libraries inlined, npm packages external.
// SWC compiles the sources so NestJS/TypeORM decorator metadata survives (esbuild alone drops it).
//   tools/build-app.mjs <app> [<entry>]     entry defaults to apps/<app>/src/main.ts
import { build } from 'esbuild';
import swc from 'unplugin-swc';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const [app, entryArg] = process.argv.slice(2);
if (!app || app === '--help') {
  console.log('Usage: tools/build-app.mjs <app> [<entry>]  bundles apps/<app>/src/main.ts into dist/apps/<app>/main.js');
  process.exit(app ? 0 : 2);
}
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
await build({
  absWorkingDir: root,
  entryPoints: [entryArg ?? `apps/${app}/src/main.ts`],
  outfile: `dist/apps/${app}/main.js`,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
  tsconfig: 'tsconfig.base.json',
  plugins: [
    swc.esbuild({
      tsconfigFile: false,
      jsc: { target: 'es2022', parser: { syntax: 'typescript', decorators: true }, transform: { legacyDecorator: true, decoratorMetadata: true } },
    }),
  ],
});
