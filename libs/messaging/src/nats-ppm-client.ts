import type { PpmClient } from '@rstar/clients';
import { ppmV1, RPC_SUBJECTS } from '@rstar/contracts';
import { RpcCallError, type NatsRpcClient } from './nats-rpc-client.js';
import { RpcErrorCode } from './rpc.js';

// The one mapping between PpmClient's arguments and the PPM contract: the client below and the PPM service use it.

export function scoreRequestToProto(question: string, stepsList: readonly (readonly string[])[]): ppmV1.ScoreRequest {
  return { question, trajectories: stepsList.map((steps) => ({ steps: [...steps] })) };
}

export function scoreRequestFromProto(message: ppmV1.ScoreRequest): { question: string; stepsList: string[][] } {
  return { question: message.question, stepsList: message.trajectories.map((t) => t.steps) };
}

export interface NatsPpmClientOptions {
  /** Reply timeout of one scoring call, in ms. */
  timeoutMs?: number;
}

/** PpmClient over NATS: the PPM service forwards to a reward-model server (vLLM's pooling API). */
export class NatsPpmClient implements PpmClient {
  private readonly timeoutMs: number;

  constructor(
    private readonly rpc: NatsRpcClient,
    options: NatsPpmClientOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 120_000;
  }

  async score(question: string, stepsList: string[][], signal?: AbortSignal): Promise<number[]> {
    if (stepsList.length === 0) return [];
    const subject = RPC_SUBJECTS['PpmService.Score'];
    const reply = await this.rpc.request(subject, ppmV1.ScoreRequest, ppmV1.ScoreReply, scoreRequestToProto(question, stepsList), {
      timeoutMs: this.timeoutMs,
      signal,
      idempotent: true,
    });
    if (reply.rewards.length !== stepsList.length) {
      throw new RpcCallError(RpcErrorCode.INVALID_REPLY, subject, `sent ${stepsList.length} trajectories, got ${reply.rewards.length} rewards`);
    }
    return reply.rewards;
  }
}
