import { describe, expect, it } from 'vitest';
import { JobMessagingErrorCode } from './solve-job-queue.js';
import { searchV1 } from '@rstar/contracts';
import { TRAJECTORY_COMPLETED_TYPE, TrajectoryPublisher, trajectoryKey, trajectoryRecord } from './trajectory-publisher.js';

describe('TrajectoryPublisher', () => {
  it('keys a record by problem id, else by job id', () => {
    expect(trajectoryKey({ jobId: 'job-1', problemId: 'gsm8k-3' })).toBe('gsm8k-3');
    expect(trajectoryKey({ jobId: 'job-1', problemId: undefined })).toBe('job-1');
    expect(trajectoryKey({ jobId: 'job-1', problemId: '' })).toBe('job-1');
  });

  it('names the contract in the type header and publishes on trajectories.v1 by default', () => {
    expect(TRAJECTORY_COMPLETED_TYPE).toBe('rstar.search.v1.TrajectoryCompleted');
    expect(new TrajectoryPublisher({ brokers: ['127.0.0.1:1'] }).topic).toBe('trajectories.v1');
  });

  it('refuses to publish before connect()', async () => {
    const publisher = new TrajectoryPublisher({ brokers: ['127.0.0.1:1'] });
    const event = { jobId: 'j', question: 'q', method: 'mcts', evaluator: 'consistency', bestTrajectory: [], nodes: [], searchConfigJson: '{}', policyModel: 'm', rollouts: 0, elapsedMs: 0, completedAt: '' };
    await expect(publisher.publish(event)).rejects.toMatchObject({ code: JobMessagingErrorCode.KafkaNotConnected });
  });
});

describe('trajectoryRecord', () => {
  it('encodes a finished tree as its trajectories.v1 record: keyed by problem, JSON by the contract, typed and correlated', () => {
    const event = { jobId: 'j', problemId: 'gsm8k-7', question: 'q', method: 'mcts', evaluator: 'ground_truth', bestTrajectory: [1], nodes: [], searchConfigJson: '{}', policyModel: 'm', rollouts: 8, elapsedMs: 5, completedAt: '2026-12-07T00:00:00Z' };
    const record = trajectoryRecord(event, 'corr-9');
    expect(record).toMatchObject({ topic: 'trajectories.v1', key: 'gsm8k-7', headers: { 'x-correlation-id': 'corr-9', 'x-message-type': TRAJECTORY_COMPLETED_TYPE } });
    expect(searchV1.TrajectoryCompleted.fromJSON(JSON.parse(record.payload))).toMatchObject({ jobId: 'j', problemId: 'gsm8k-7', rollouts: 8, bestTrajectory: [1] });
  });
});
