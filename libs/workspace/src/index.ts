export * from './workspace-paths.js';
