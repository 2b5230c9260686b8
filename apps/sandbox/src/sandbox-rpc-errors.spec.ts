import { GraderUnavailableError } from '@rstar/grader';
import { RpcErrorCode, toRpcErrorBody } from '@rstar/messaging';
import { SANDBOX_ERROR_CODES, SandboxError } from '@rstar/sandbox';
import { describe, expect, it } from 'vitest';
import { sandboxRpcError } from './sandbox-rpc-errors.js';

describe('sandboxRpcError', () => {
  it('asks callers to try another instance for every pool failure', () => {
    for (const code of SANDBOX_ERROR_CODES) {
      expect(toRpcErrorBody(new SandboxError(code, `pool ${code}`), [sandboxRpcError])).toEqual({ code: RpcErrorCode.UPSTREAM_UNAVAILABLE, message: `pool ${code}` });
    }
    expect(sandboxRpcError(new GraderUnavailableError('grader Python not found'))?.code).toBe(RpcErrorCode.UPSTREAM_UNAVAILABLE);
  });

  it('leaves other errors to the shared rules', () => {
    expect(sandboxRpcError(new Error('x'))).toBeUndefined();
    expect(toRpcErrorBody(new Error('x'), [sandboxRpcError]).code).toBe(RpcErrorCode.INTERNAL);
  });
});
