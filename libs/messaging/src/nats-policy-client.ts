import type { CompletionRequest, CompletionResult, FinishReason, PolicyClient } from '@rstar/clients';
import { ContractViolationError, policyV1, RPC_SUBJECTS } from '@rstar/contracts';
import type { NatsRpcClient } from './nats-rpc-client.js';

// The one mapping between PolicyClient's types and the policy contract: the client below and the policy
// service both use it.

export function finishReasonToProto(reason: FinishReason): policyV1.FinishReason {
  switch (reason) {
    case 'stop':
      return policyV1.FinishReason.FINISH_REASON_STOP;
    case 'length':
      return policyV1.FinishReason.FINISH_REASON_LENGTH;
  }
}

/** Throws a ContractViolationError for a reason the contract leaves unset or this code does not know. */
export function finishReasonFromProto(reason: policyV1.FinishReason): FinishReason {
  switch (reason) {
    case policyV1.FinishReason.FINISH_REASON_STOP:
      return 'stop';
    case policyV1.FinishReason.FINISH_REASON_LENGTH:
      return 'length';
    case policyV1.FinishReason.FINISH_REASON_UNSPECIFIED:
    case policyV1.FinishReason.UNRECOGNIZED:
      throw new ContractViolationError('Choice', [`finishReason ${reason} is not a finish reason`]);
  }
}

export function completionRequestToProto(request: CompletionRequest): policyV1.CompleteRequest {
  return {
    prompt: request.prompt,
    n: request.n,
    temperature: request.temperature,
    topP: request.topP,
    maxTokens: request.maxTokens,
    stop: [...request.stop],
    includeStopStrInOutput: request.includeStopStrInOutput,
    seed: request.seed,
  };
}

export function completionRequestFromProto(message: policyV1.CompleteRequest): CompletionRequest {
  const { prompt, n, temperature, topP, maxTokens, stop, includeStopStrInOutput, seed } = message;
  return { prompt, n, temperature, topP, maxTokens, stop, includeStopStrInOutput, ...(seed === undefined ? {} : { seed }) };
}

export function completionResultToProto(result: CompletionResult): policyV1.CompleteReply {
  return {
    choices: result.choices.map((c) => ({
      index: c.index,
      text: c.text,
      finishReason: finishReasonToProto(c.finishReason),
      stopReason: c.stopReason ?? undefined,
    })),
    promptTokens: result.usage.promptTokens,
    completionTokens: result.usage.completionTokens,
  };
}

export function completionResultFromProto(message: policyV1.CompleteReply): CompletionResult {
  return {
    choices: message.choices.map((c) => ({
      index: c.index,
      text: c.text,
      finishReason: finishReasonFromProto(c.finishReason),
      stopReason: c.stopReason ?? null,
    })),
    usage: { promptTokens: message.promptTokens, completionTokens: message.completionTokens },
  };
}

/** The models the policy service's model server serves, and where it is. */
export interface PolicyModels {
  models: string[];
  serverUrl: string;
}

export interface NatsPolicyClientOptions {
  /** Reply timeout of one completion, in ms: a CPU model generating `n` long steps takes minutes. */
  timeoutMs?: number;
}

/** PolicyClient over NATS: the policy service forwards to its model server (vLLM, SGLang, llama.cpp, CPU). */
export class NatsPolicyClient implements PolicyClient {
  private readonly timeoutMs: number;

  constructor(
    private readonly rpc: NatsRpcClient,
    options: NatsPolicyClientOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 600_000;
  }

  async complete(request: CompletionRequest, signal?: AbortSignal): Promise<CompletionResult> {
    const reply = await this.rpc.request(
      RPC_SUBJECTS['PolicyService.Complete'],
      policyV1.CompleteRequest,
      policyV1.CompleteReply,
      completionRequestToProto(request),
      { timeoutMs: this.timeoutMs, signal, idempotent: true },
    );
    return completionResultFromProto(reply);
  }

  async listModels(signal?: AbortSignal): Promise<PolicyModels> {
    const reply = await this.rpc.request(RPC_SUBJECTS['PolicyService.ListModels'], policyV1.ListModelsRequest, policyV1.ListModelsReply, {}, {
      timeoutMs: 30_000,
      signal,
      idempotent: true,
    });
    return { models: reply.models, serverUrl: reply.serverUrl };
  }
}
