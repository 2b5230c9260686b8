// Message contracts generated from proto/ (tools/gen-contracts). Never edit generated/ by hand.
export * as sandboxV1 from './generated/rstar/sandbox/v1/sandbox.js';
export * as graderV1 from './generated/rstar/grader/v1/grader.js';
