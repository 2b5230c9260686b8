export * from './markers.js';
export * from './boxed.js';
export * from './step-parser.js';
export * from './prompts.js';
export * from './ppm-input.js';
