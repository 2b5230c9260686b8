export * from './correlation.js';
export * from './service-config.js';
export * from './health.module.js';
export * from './logging.js';
export * from './bootstrap.js';
