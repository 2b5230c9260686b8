import type { GraderClient, PolicyClient, SandboxClient } from '@rstar/clients';
import { OpenAiCompletionsClient } from '@rstar/clients';
import { MathVerifyGrader } from '@rstar/grader';
import { CpuModelServer } from '@rstar/model-server';
import { SandboxPool } from '@rstar/sandbox';

export interface SolverRuntimeOptions {
  /** Embedded model name or .gguf path (ignored with policyUrl). */
  model: string;
  policyUrl: string | null;
  policyModel: string | null;
  threads: number | null;
  onStatus: (message: string) => void;
}

/** What a search needs, started for this process; `close()` stops all of it. */
export interface SolverRuntime {
  policy: PolicyClient;
  sandbox: SandboxClient;
  grader: GraderClient;
  /** Where the policy runs, for people: "smollm2-135m (embedded CPU server at http://127.0.0.1:…)". */
  description: string;
  /** The policy's model name, as a stored job records it. */
  policyModel: string;
  close(): Promise<void>;
}

export function startGrader(): MathVerifyGrader {
  return new MathVerifyGrader();
}

/**
 * The embedded default: the CPU model server runs in this process on a loopback port and is reached over
 * the same OpenAI-compatible API as a vLLM pod; the sandbox pool and the grader run as local workers.
 * With `policyUrl`, the policy is that server instead.
 */
export async function startSolverRuntime(options: SolverRuntimeOptions): Promise<SolverRuntime> {
  const closers: (() => Promise<void>)[] = [];
  const close = async (): Promise<void> => {
    for (const c of closers.reverse()) await c().catch(() => undefined);
  };
  try {
    let policy: PolicyClient;
    let description: string;
    let policyModel: string;
    if (options.policyUrl) {
      // Asking for the model list first makes an unreachable or wrong URL fail here, in one line.
      const models = await new OpenAiCompletionsClient({ baseUrl: options.policyUrl, retries: 1 }).listModels();
      const model = options.policyModel ?? models[0];
      if (!model) throw new Error(`the policy server at ${options.policyUrl} serves no model`);
      policy = new OpenAiCompletionsClient({ baseUrl: options.policyUrl, model });
      description = `${model} at ${options.policyUrl}`;
      policyModel = model;
    } else {
      options.onStatus(`loading ${options.model} on the CPU…`);
      const server = await CpuModelServer.create({ model: options.model, port: 0, ...(options.threads === null ? {} : { threads: options.threads }) });
      closers.push(() => server.close());
      const url = await server.start();
      policy = server.client();
      description = `${server.engine.modelName} (embedded CPU model server at ${url})`;
      policyModel = server.engine.modelName;
    }
    const sandbox = await SandboxPool.start();
    closers.push(() => sandbox.close());
    const grader = startGrader();
    closers.push(() => grader.close());
    return { policy, sandbox, grader, description, policyModel, close };
  } catch (error) {
    await close();
    throw error;
  }
}
