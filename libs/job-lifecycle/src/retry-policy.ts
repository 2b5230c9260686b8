/** How a failed attempt of a queued job is settled: tried again after a pause, or failed for good. */
export type FailureDecision = { action: 'retry'; delayMs: number } | { action: 'fail' };

export interface RetryPolicy {
  /** Pause before a failed job is delivered again. */
  retryDelayMs: number;
  /** Failures that another try cannot fix (the request breaks a contract, the model refused it). */
  isPermanent(error: unknown): boolean;
}

/**
 * The one retry rule of solve jobs: a permanent failure, or any failure on the queue's last delivery, fails the
 * job; anything else (unknown errors included: a dropped connection, a restarting service) is retried, which the
 * queue's delivery limit bounds.
 */
export function decideAfterFailure(error: unknown, lastDelivery: boolean, policy: RetryPolicy): FailureDecision {
  if (lastDelivery || policy.isPermanent(error)) return { action: 'fail' };
  return { action: 'retry', delayMs: policy.retryDelayMs };
}
