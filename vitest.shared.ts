import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import swc from 'unplugin-swc';
import { defineConfig, type UserConfig } from 'vitest/config';

const root = dirname(fileURLToPath(import.meta.url));
const tsconfig = JSON.parse(readFileSync(resolve(root, 'tsconfig.base.json'), 'utf8')) as {
  compilerOptions: { paths: Record<string, string[]> };
};
/** Workspace aliases come from tsconfig.base.json so there is one list of them. */
const alias = Object.fromEntries(
  Object.entries(tsconfig.compilerOptions.paths).map(([name, [target]]) => [name, resolve(root, target ?? '')]),
);

export interface ProjectTestOptions {
  /**
   * NestJS and TypeORM read constructor and property types from decorator metadata, which esbuild does not
   * emit: such projects compile their tests with SWC instead.
   */
  decorators?: boolean;
}

/** Unit tests: `*.spec.ts` beside the code. Integration tests: `test/**\/*.integration-spec.ts`. */
export function projectTestConfig(projectDir: string, overrides: UserConfig['test'] = {}, options: ProjectTestOptions = {}): UserConfig {
  return defineConfig({
    root: projectDir,
    resolve: { alias },
    plugins: options.decorators ? [swc.vite({ module: { type: 'es6' }, jsc: { target: 'es2022', parser: { syntax: 'typescript', decorators: true }, transform: { legacyDecorator: true, decoratorMetadata: true } } })] : [],
    ...(options.decorators ? { esbuild: false } : {}),
    test: {
      include: ['src/**/*.spec.ts', 'test/**/*.integration-spec.ts'],
      environment: 'node',
      pool: 'forks',
      testTimeout: 30_000,
      ...overrides,
    },
  });
}
