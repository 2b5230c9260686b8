export * from './policy-client.js';
export * from './sandbox-client.js';
export * from './grader-client.js';
export * from './ppm-client.js';
