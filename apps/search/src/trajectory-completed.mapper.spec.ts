import { searchV1 } from '@rstar/contracts';
import { parseSearchConfig, type SearchReport } from '@rstar/mcts';
import { describe, expect, it } from 'vitest';
import { InMemoryJobStore } from '../test/doubles.js';
import { toTrajectoryCompleted } from './trajectory-completed.mapper.js';

const config = parseSearchConfig({ rollouts: 4, width: 2 });
const report: SearchReport = {
  question: 'What is 8 * 9?',
  method: 'mcts',
  config,
  evaluator: 'ground-truth',
  answer: '72',
  answerNodeId: 1,
  answerQ: 0.5,
  bestTrajectory: [0, 1],
  rollouts: 4,
  elapsedMs: 321,
  stats: { policyRequests: 2, promptTokens: 10, completionTokens: 20, sandboxRuns: 1, sandboxCacheHits: 0, ppmCalls: 0 },
  nodes: [
    { id: 0, parentId: null, depth: 0, kind: 'root', text: 'What is 8 * 9?', reasoning: '', code: '', output: null, errorKind: null, executed: false, answer: null, terminal: false, terminalReason: null, q: 0, visits: 4, valueSum: 2, ppmScore: null, reward: null, correct: null },
    { id: 1, parentId: 0, depth: 1, kind: 'answer', text: 't', reasoning: 'r', code: 'print(72)', output: '72', errorKind: null, executed: true, answer: '72', terminal: true, terminalReason: 'answer', q: 0.5, visits: 2, valueSum: 1, ppmScore: 0.3, reward: 1, correct: true },
  ],
};

describe('toTrajectoryCompleted', () => {
  it('maps the job and its report, nulls left out, and survives the proto3 JSON round trip', () => {
    const job = new InMemoryJobStore().add({ id: 'job-9', problemId: 'p-1', referenceAnswer: '72' });
    const event = toTrajectoryCompleted(job, report, 'smollm2-135m', new Date('2026-01-02T03:04:05.000Z'));
    expect(event).toMatchObject({
      jobId: 'job-9',
      problemId: 'p-1',
      question: 'What is 8 * 9?',
      referenceAnswer: '72',
      method: 'mcts',
      evaluator: 'ground-truth',
      answer: '72',
      answerQ: 0.5,
      bestTrajectory: [0, 1],
      policyModel: 'smollm2-135m',
      rollouts: 4,
      elapsedMs: 321,
      completedAt: '2026-01-02T03:04:05.000Z',
    });
    expect(JSON.parse(event.searchConfigJson)).toEqual(config);
    expect(event.nodes[0]).not.toHaveProperty('parentId', null);
    expect(event.nodes[0]?.parentId).toBeUndefined();
    expect(event.nodes[1]).toMatchObject({ parentId: 0, output: '72', terminalReason: 'answer', ppmScore: 0.3, reward: 1, correct: true });
    const wire = JSON.parse(JSON.stringify(searchV1.TrajectoryCompleted.toJSON(event))) as unknown;
    expect(searchV1.TrajectoryCompleted.fromJSON(wire)).toEqual(event);
  });

  it('leaves problem id and reference out when the job has none', () => {
    const job = new InMemoryJobStore().add({ id: 'job-10' });
    const wire = searchV1.TrajectoryCompleted.toJSON(toTrajectoryCompleted(job, { ...report, answer: null, answerQ: null }, 'm')) as Record<string, unknown>;
    expect(wire).not.toHaveProperty('problemId');
    expect(wire).not.toHaveProperty('referenceAnswer');
    expect(wire).not.toHaveProperty('answer');
  });
});
