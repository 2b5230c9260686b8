import { describe, expect, it } from 'vitest';
import { ContractViolationError, decodeMessage } from './decode-message.js';
import { CompleteRequest } from './generated/rstar/policy/v1/policy.js';
import { SolveProgressed, JobStatus } from './generated/rstar/search/v1/search.js';
import { EVENT_SUBJECTS, KAFKA_TOPICS, RPC_SUBJECTS } from './generated/routes.js';

describe('decodeMessage', () => {
  it('decodes a valid payload, filling proto3 defaults', () => {
    const m = decodeMessage(CompleteRequest, { prompt: 'Q', n: 2, stop: ['<end_of_step>'], seed: 7 }, 'CompleteRequest');
    expect(m).toMatchObject({ prompt: 'Q', n: 2, temperature: 0, stop: ['<end_of_step>'], seed: 7, includeStopStrInOutput: false });
  });

  it('round-trips through toJSON', () => {
    const event = { jobId: 'j1', status: JobStatus.JOB_STATUS_RUNNING, rolloutsDone: 3, rolloutsTotal: 8, bestAnswer: '18', bestQ: 0.5 };
    expect(decodeMessage(SolveProgressed, SolveProgressed.toJSON(event), 'SolveProgressed')).toEqual({ ...event, error: undefined });
  });

  it('refuses non-objects, unknown fields and wrong kinds, listing every problem', () => {
    expect(() => decodeMessage(CompleteRequest, 'x', 'CompleteRequest')).toThrow(/payload must be an object, got string/);
    expect(() => decodeMessage(CompleteRequest, [1], 'CompleteRequest')).toThrow(ContractViolationError);
    try {
      decodeMessage(CompleteRequest, { prompt: 5, stop: 'x', extra: 1 }, 'CompleteRequest');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ContractViolationError);
      expect((error as ContractViolationError).problems).toEqual(['prompt must be string, got number', 'stop must be array, got string', 'unknown field extra']);
    }
  });

  it('accepts int64 as a numeric string and refuses a wrong kind for an unset optional', () => {
    expect(decodeMessage(CompleteRequest, { seed: '12' }, 'CompleteRequest').seed).toBe(12);
    expect(() => decodeMessage(SolveProgressed, { bestAnswer: 3 }, 'SolveProgressed')).toThrow(/bestAnswer must be string, got number/);
  });
});

describe('routes', () => {
  it('come from the proto options', () => {
    expect(RPC_SUBJECTS['PolicyService.Complete']).toBe('rstar.policy.v1.complete');
    expect(EVENT_SUBJECTS.SolveJobQueued).toBe('rstar.search.v1.jobs');
    expect(KAFKA_TOPICS.TrajectoryCompleted).toBe('trajectories.v1');
  });
});
