/** Why a program did not finish cleanly; `null` when it did. */
export type SandboxErrorKind = 'syntax' | 'runtime' | 'timeout' | 'memory' | 'output_limit' | 'internal';

export interface SandboxRunResult {
  ok: boolean;
  /** What the program printed (stdout), capped by the output limit. */
  stdout: string;
  errorKind: SandboxErrorKind | null;
  /** The last line of the traceback, or what stopped the run. */
  errorMessage: string;
  durationMs: number;
  /** True when the result came from the program cache rather than a fresh run. */
  cached: boolean;
}

/** Runs a trajectory's cumulative Python program in isolation. */
export interface SandboxClient {
  run(code: string, signal?: AbortSignal): Promise<SandboxRunResult>;
  close(): Promise<void>;
}
