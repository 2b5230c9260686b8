export * from './policy-client.js';
export * from './sandbox-client.js';
export * from './grader-client.js';
export * from './ppm-client.js';
export * from './openai-completions-client.js';
export * from './sandbox-error-kind.js';
export * from './http-ppm-client.js';
