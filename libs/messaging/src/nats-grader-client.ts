import type { GradeResult, GraderClient } from '@rstar/clients';
import { graderV1, RPC_SUBJECTS } from '@rstar/contracts';
import type { NatsRpcClient } from './nats-rpc-client.js';

// The one mapping between GraderClient's result and the grader contract's GradeResult ('' means no error).

export function gradeResultToProto(id: string, result: GradeResult): graderV1.GradeResult {
  return { id, equivalent: result.equivalent, answerParsed: result.answerParsed, referenceParsed: result.referenceParsed, error: result.error ?? '' };
}

export function gradeResultFromProto(message: graderV1.GradeResult): GradeResult {
  const error = message.error === '' ? null : message.error;
  // An answer that could not be graded is never equivalent, whatever the flag says.
  return { equivalent: error === null && message.equivalent, answerParsed: message.answerParsed, referenceParsed: message.referenceParsed, error };
}

export interface NatsGraderClientOptions {
  /** Reply timeout of one grade, in ms (the service's own grading budget is shorter). */
  timeoutMs?: number;
}

/** GraderClient over NATS: the sandbox service grades with math-verify, under its own time budget. */
export class NatsGraderClient implements GraderClient {
  private readonly timeoutMs: number;

  constructor(
    private readonly rpc: NatsRpcClient,
    options: NatsGraderClientOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 60_000;
  }

  async grade(answer: string, reference: string): Promise<GradeResult> {
    const reply = await this.rpc.request(
      RPC_SUBJECTS['GraderService.Grade'],
      graderV1.GradeRequest,
      graderV1.GradeResult,
      { id: '', answer, reference, timeoutS: 0 },
      { timeoutMs: this.timeoutMs, idempotent: true },
    );
    return gradeResultFromProto(reply);
  }

  /** Nothing to release: the NATS connection belongs to whoever opened it. */
  async close(): Promise<void> {}
}
