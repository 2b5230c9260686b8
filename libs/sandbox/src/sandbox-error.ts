/** Why the sandbox pool could not do what was asked (programs that fail are results, not errors). */
export const SANDBOX_ERROR_CODES = ['setup_missing', 'start_failed', 'closed'] as const;
export type SandboxErrorCode = (typeof SANDBOX_ERROR_CODES)[number];

/** The sandbox module's one error type: a one-line message and a code to branch on. */
export class SandboxError extends Error {
  override readonly name = 'SandboxError';

  constructor(
    readonly code: SandboxErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
