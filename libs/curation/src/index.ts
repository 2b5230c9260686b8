export * from './sft-record.js';
export * from './gsm8k-trace.js';
export * from './round0-bootstrap.js';
export * from './tree-curation.js';
export * from './synthesis-run.js';
export * from './trajectory-tree.js';
