export * from './json-line-process.js';
