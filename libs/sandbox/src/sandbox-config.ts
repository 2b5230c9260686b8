import { availableParallelism } from 'node:os';
import { z } from 'zod';

/** Isolation of each run; see apps/sandbox-runtime/src/rstar_sandbox/launcher.py. */
export const SANDBOX_ISOLATIONS = ['namespaces', 'basic'] as const;
export type SandboxIsolation = (typeof SANDBOX_ISOLATIONS)[number];

/** Limits of one run; the field names are those of the proto's SandboxLimits. */
export const SandboxLimitsSchema = z
  .object({
    /** Killed after this, whatever it does (METHOD.md's reference: 30 s). */
    wallSeconds: z.number().positive().max(3600).default(10),
    cpuSeconds: z.number().positive().max(3600).default(10),
    /** Address space of the run, the runtime's ~300 MB of numpy/scipy/sympy mappings included. */
    memoryMb: z.number().int().min(512).max(1 << 20).default(1024),
    /** Processes (threads included) in the run's user namespace; the run itself uses 2. */
    maxProcesses: z.number().int().min(4).max(4096).default(32),
    /** stdout + stderr beyond this ends the run with `output_limit`. */
    maxOutputBytes: z.number().int().min(1024).max(256 << 20).default(1 << 20),
    maxFileBytes: z.number().int().min(1024).max(1 << 30).default(16 << 20),
  })
  .strict();

export const SandboxConfigSchema = z
  .object({
    /** Runtime processes, each running one program at a time. */
    size: z
      .number()
      .int()
      .min(1)
      .max(256)
      .default(() => availableParallelism()),
    limits: SandboxLimitsSchema.prefault({}),
    /** Cached results (by sha256 of the program); 0 turns the cache off. */
    cacheEntries: z.number().int().min(0).max(10_000_000).default(10_000),
    /** Bound on the cache's memory, counted as the characters of stdout and message. */
    cacheMaxBytes: z
      .number()
      .int()
      .min(1 << 10)
      .default(64 << 20),
    /** A runtime that has not answered within wall time + this is killed and replaced. */
    timeoutGraceMs: z.number().int().min(0).max(600_000).default(5_000),
    /** Time for a runtime to start (imports, namespace check) and answer a first run. */
    startupTimeoutMs: z.number().int().min(1_000).max(600_000).default(60_000),
    isolation: z.enum(SANDBOX_ISOLATIONS).default('namespaces'),
    /** The Python that runs the launcher; default: the workspace venv (tools/setup). */
    pythonPath: z.string().min(1).optional(),
  })
  .strict();

export type SandboxLimitsConfig = z.infer<typeof SandboxLimitsSchema>;
export type SandboxConfig = z.infer<typeof SandboxConfigSchema>;
export type SandboxConfigInput = z.input<typeof SandboxConfigSchema>;

/** Validates the pool's options, filling defaults; throws a ZodError listing every bad option. */
export function parseSandboxConfig(input: SandboxConfigInput = {}): SandboxConfig {
  return SandboxConfigSchema.parse(input);
}
