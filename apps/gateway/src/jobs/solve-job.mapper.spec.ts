import { searchV1 } from '@rstar/contracts';
import { parseSearchConfig, type NodeReport } from '@rstar/mcts';
import type { SearchTreeRecord, SolveJobRecord } from '@rstar/persistence';
import { describe, expect, it } from 'vitest';
import { progressFromEvent, progressFromRecord, toSearchTreeDto, toSolveJobDto, toSolveSteps } from './solve-job.mapper.js';
import { JobStatusValue, SearchMethodValue } from './solve-job.types.js';

function node(id: number, parentId: number | null, extra: Partial<NodeReport> = {}): NodeReport {
  return {
    id,
    parentId,
    depth: parentId === null ? 0 : 1,
    kind: parentId === null ? 'root' : 'code',
    text: `text ${id}`,
    reasoning: `reason ${id}`,
    code: `x = ${id}`,
    output: `${id}`,
    errorKind: null,
    executed: true,
    answer: null,
    terminal: false,
    terminalReason: null,
    q: id / 10,
    visits: id,
    valueSum: id,
    ppmScore: null,
    reward: null,
    correct: null,
    ...extra,
  };
}

const tree: SearchTreeRecord = {
  jobId: 'job-1',
  evaluator: 'consistency',
  answerNodeId: 3,
  bestTrajectory: [0, 1, 3],
  nodes: [node(0, null), node(1, 0), node(2, 0, { errorKind: 'runtime', output: 'Traceback' }), node(3, 1, { kind: 'answer', answer: '72', terminal: true, ppmScore: 0.9 })],
};

const job: SolveJobRecord = {
  id: 'job-1',
  question: 'How many?',
  referenceAnswer: '72',
  problemId: null,
  config: parseSearchConfig({ method: 'best-of-n', rollouts: 6, width: 3, seed: 9 }),
  status: 'succeeded',
  attempts: 2,
  workerId: 'w1',
  answer: '72',
  answerQ: 0.8,
  rolloutsDone: 6,
  rolloutsTotal: 6,
  bestAnswer: '72',
  bestQ: 0.8,
  error: null,
  apiKeyId: 'k1',
  correlationId: 'corr',
  policyModel: 'smollm2-135m',
  elapsedMs: 1234,
  createdAt: new Date(0),
  startedAt: new Date(1000),
  finishedAt: new Date(2000),
};

describe('toSolveJobDto', () => {
  it('maps a record to the GraphQL shape (enums, budget, no internal fields)', () => {
    const dto = toSolveJobDto(job);
    expect(dto).toMatchObject({
      id: 'job-1',
      status: JobStatusValue.SUCCEEDED,
      method: SearchMethodValue.BEST_OF_N,
      budget: { rollouts: 6, width: 3 },
      seed: 9,
      answer: '72',
      attempts: 2,
      finishedAt: new Date(2000),
    });
    expect(dto).not.toHaveProperty('workerId');
    expect(dto).not.toHaveProperty('apiKeyId');
  });
});

describe('toSolveSteps', () => {
  it('gives the best trajectory without the root, in order', () => {
    const steps = toSolveSteps(tree);
    expect(steps.map((s) => s.nodeId)).toEqual([1, 3]);
    expect(steps[1]).toEqual({
      nodeId: 3,
      depth: 1,
      kind: 'answer',
      reasoning: 'reason 3',
      code: 'x = 3',
      output: '3',
      errorKind: null,
      answer: '72',
      q: 0.3,
      visits: 3,
      ppmScore: 0.9,
    });
  });

  it('is empty when no answer was found', () => {
    expect(toSolveSteps({ ...tree, answerNodeId: null, bestTrajectory: [] })).toEqual([]);
  });
});

describe('toSearchTreeDto', () => {
  it('lists every node and an edge per parent link', () => {
    const dto = toSearchTreeDto(tree);
    expect(dto.nodeCount).toBe(4);
    expect(dto.edges).toEqual([
      { from: 0, to: 1 },
      { from: 0, to: 2 },
      { from: 1, to: 3 },
    ]);
    expect(dto.nodes[2]).toMatchObject({ id: 2, errorKind: 'runtime', output: 'Traceback' });
    expect(dto.nodes[0]).not.toHaveProperty('text');
  });
});

describe('progress', () => {
  it('maps the stored state', () => {
    expect(progressFromRecord(job)).toEqual({
      jobId: 'job-1',
      status: JobStatusValue.SUCCEEDED,
      rolloutsDone: 6,
      rolloutsTotal: 6,
      bestAnswer: '72',
      bestQ: 0.8,
      answer: '72',
      answerQ: 0.8,
      error: null,
    });
  });

  it('maps live events, the final answer only on success', () => {
    const running = { jobId: 'j', status: searchV1.JobStatus.JOB_STATUS_RUNNING, rolloutsDone: 2, rolloutsTotal: 8, bestAnswer: '5', bestQ: 0.5 };
    expect(progressFromEvent(running)).toMatchObject({ status: JobStatusValue.RUNNING, bestAnswer: '5', answer: null, error: null });
    expect(progressFromEvent({ ...running, status: searchV1.JobStatus.JOB_STATUS_SUCCEEDED })).toMatchObject({ answer: '5', answerQ: 0.5 });
    expect(progressFromEvent({ ...running, status: searchV1.JobStatus.JOB_STATUS_FAILED, error: 'policy down' })).toMatchObject({
      status: JobStatusValue.FAILED,
      answer: null,
      error: 'policy down',
    });
    expect(progressFromEvent({ ...running, status: searchV1.JobStatus.UNRECOGNIZED })).toBeNull();
  });
});
