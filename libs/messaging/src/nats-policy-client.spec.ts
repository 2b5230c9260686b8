import type { CompletionRequest, CompletionResult } from '@rstar/clients';
import { ContractViolationError, policyV1 } from '@rstar/contracts';
import { describe, expect, it } from 'vitest';
import {
  completionRequestFromProto,
  completionRequestToProto,
  completionResultFromProto,
  completionResultToProto,
  finishReasonFromProto,
} from './nats-policy-client.js';

const request: CompletionRequest = {
  prompt: 'Q',
  n: 3,
  temperature: 0.7,
  topP: 0.95,
  maxTokens: 64,
  stop: ['<end_of_step>', '<end_of_code>'],
  includeStopStrInOutput: true,
  seed: 12,
};

const result: CompletionResult = {
  choices: [
    { index: 0, text: 'x = 1\n<end_of_step>', finishReason: 'stop', stopReason: '<end_of_step>' },
    { index: 1, text: 'y =', finishReason: 'length', stopReason: null },
  ],
  usage: { promptTokens: 10, completionTokens: 7 },
};

/** Through the wire: to proto, to proto3 JSON text, back. */
function wire<T>(fns: { toJSON(m: T): unknown; fromJSON(o: unknown): T }, message: T): T {
  return fns.fromJSON(JSON.parse(JSON.stringify(fns.toJSON(message))));
}

describe('policy contract mapping', () => {
  it('carries a completion request over the wire unchanged, with and without a seed', () => {
    expect(completionRequestFromProto(wire(policyV1.CompleteRequest, completionRequestToProto(request)))).toEqual(request);
    const { seed: _seed, ...unseeded } = request;
    const back = completionRequestFromProto(wire(policyV1.CompleteRequest, completionRequestToProto(unseeded)));
    expect(back).toEqual(unseeded);
    expect(back).not.toHaveProperty('seed');
  });

  it('carries a completion result over the wire unchanged', () => {
    const proto = completionResultToProto(result);
    expect(proto.choices.map((c) => c.finishReason)).toEqual([policyV1.FinishReason.FINISH_REASON_STOP, policyV1.FinishReason.FINISH_REASON_LENGTH]);
    expect(completionResultFromProto(wire(policyV1.CompleteReply, proto))).toEqual(result);
  });

  it('refuses a choice without a finish reason', () => {
    expect(() => finishReasonFromProto(policyV1.FinishReason.FINISH_REASON_UNSPECIFIED)).toThrow(ContractViolationError);
    expect(() => finishReasonFromProto(policyV1.finishReasonFromJSON('FINISH_REASON_TOOL_CALLS'))).toThrow(/not a finish reason/);
  });
});
