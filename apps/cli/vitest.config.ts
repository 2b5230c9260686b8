import { projectTestConfig } from '../../vitest.shared';

// The integration tests run the real CPU model: on a loaded 2-core machine a solve can take well over 30 s.
export default projectTestConfig(import.meta.dirname, { testTimeout: 180_000 });
