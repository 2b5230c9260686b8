export * from './math-verify-grader.js';
