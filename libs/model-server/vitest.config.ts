import { projectTestConfig } from '../../vitest.shared';

// Test files run one after another: two llama.cpp engines spinning on the same cores slow each other down sharply.
export default projectTestConfig(import.meta.dirname, { fileParallelism: false });
