export { InMemoryJobStore, InMemoryOutbox } from './in-memory-stores.js';
