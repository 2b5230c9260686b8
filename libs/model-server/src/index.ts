export * from './model-catalog.js';
export * from './llama-completion-engine.js';
export * from './cpu-model-server.js';
export * from './trained-model.js';
export * from './marker-tokens.js';
export * from './model-registry.js';
