import { projectTestConfig } from '../../vitest.shared';

// The whole deployment runs as processes started by the suite: one file, long timeouts, no parallelism.
export default projectTestConfig(import.meta.dirname, {
  include: ['test/**/*.e2e-spec.ts'],
  testTimeout: 600_000,
  hookTimeout: 300_000,
  fileParallelism: false,
});
