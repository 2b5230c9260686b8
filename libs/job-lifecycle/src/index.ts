export { HeldJob, JobLifecycle, JobNotQueuedError, NOT_QUEUED_REASON, type JobQueue, type LifecycleLogger } from './job-lifecycle.js';
export { OutboxRelay, type MessageSink, type OutboxRelayOptions } from './outbox-relay.js';
export { decideAfterFailure, type FailureDecision, type RetryPolicy } from './retry-policy.js';
