// Message contracts generated from proto/ (tools/gen-contracts). Never edit generated/ by hand.
export * as sandboxV1 from './generated/rstar/sandbox/v1/sandbox.js';
export * as graderV1 from './generated/rstar/grader/v1/grader.js';
export * as policyV1 from './generated/rstar/policy/v1/policy.js';
export * as ppmV1 from './generated/rstar/ppm/v1/ppm.js';
export * as searchV1 from './generated/rstar/search/v1/search.js';
export * from './generated/routes.js';
export * from './decode-message.js';
