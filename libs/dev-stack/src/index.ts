export * from './process-stack.js';
export * from './dev-stack.js';
