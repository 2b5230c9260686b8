export * from './sandbox-config.js';
export * from './sandbox-error.js';
export * from './sandbox-pool.js';
export { isCacheable, programKey, ResultCache } from './result-cache.js';
export { assertSandboxSetup, findOnPath, runtimeCommand, type RuntimeCommand } from './runtime-command.js';
