import { GraderUnavailableError } from '@rstar/grader';
import { RpcError, RpcErrorCode } from '@rstar/messaging';
import { SandboxError, type SandboxErrorCode } from '@rstar/sandbox';

function sandboxErrorCode(code: SandboxErrorCode): RpcErrorCode {
  switch (code) {
    // This instance cannot run programs (not set up, runtimes failing, shutting down): another one may.
    case 'setup_missing':
    case 'start_failed':
    case 'closed':
      return RpcErrorCode.UPSTREAM_UNAVAILABLE;
  }
}

/** The sandbox pool's and the grader's errors as RPC errors (programs that fail are results, not errors). */
export function sandboxRpcError(error: unknown): RpcError | undefined {
  if (error instanceof SandboxError) return new RpcError(sandboxErrorCode(error.code), error.message);
  if (error instanceof GraderUnavailableError) return new RpcError(RpcErrorCode.UPSTREAM_UNAVAILABLE, error.message);
  return undefined;
}
