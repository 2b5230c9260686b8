export * from './model-catalog.js';
export * from './llama-completion-engine.js';
export * from './cpu-model-server.js';
