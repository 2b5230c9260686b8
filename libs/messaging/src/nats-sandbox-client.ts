import { fromSandboxErrorKind, toSandboxErrorKind, type SandboxClient, type SandboxRunResult } from '@rstar/clients';
import { RPC_SUBJECTS, sandboxV1 } from '@rstar/contracts';
import type { NatsRpcClient } from './nats-rpc-client.js';

// The one mapping between SandboxClient's result and the sandbox contract's RunResult (error kinds: @rstar/clients).

export function runResultToProto(id: string, result: SandboxRunResult): sandboxV1.RunResult {
  return {
    id,
    ok: result.ok,
    stdout: result.stdout,
    errorKind: fromSandboxErrorKind(result.errorKind),
    errorMessage: result.errorMessage,
    durationMs: result.durationMs,
    cached: result.cached,
  };
}

export function runResultFromProto(message: sandboxV1.RunResult): SandboxRunResult {
  return {
    ok: message.ok,
    stdout: message.stdout,
    errorKind: toSandboxErrorKind(message.errorKind),
    errorMessage: message.errorMessage,
    durationMs: message.durationMs,
    cached: message.cached,
  };
}

export interface NatsSandboxClientOptions {
  /** Reply timeout of one run, in ms: the run's wall limit plus the wait for a free runtime. */
  timeoutMs?: number;
}

/** SandboxClient over NATS: the sandbox service runs the program in its pool, with the pool's limits. */
export class NatsSandboxClient implements SandboxClient {
  private readonly timeoutMs: number;

  constructor(
    private readonly rpc: NatsRpcClient,
    options: NatsSandboxClientOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 120_000;
  }

  async run(code: string, signal?: AbortSignal): Promise<SandboxRunResult> {
    const reply = await this.rpc.request(RPC_SUBJECTS['SandboxService.Run'], sandboxV1.RunRequest, sandboxV1.RunResult, { id: '', code }, {
      timeoutMs: this.timeoutMs,
      signal,
      idempotent: true,
    });
    return runResultFromProto(reply);
  }

  /** Nothing to release: the NATS connection belongs to whoever opened it. */
  async close(): Promise<void> {}
}
