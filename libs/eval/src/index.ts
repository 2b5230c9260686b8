export * from './problem-file.js';
export * from './benchmarks.js';
export * from './wilson-interval.js';
export * from './eval-method.js';
export * from './run-options.js';
export * from './eval-report.js';
export * from './eval-run.js';
export * from './run-environment.js';
