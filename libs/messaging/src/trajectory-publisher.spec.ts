import { describe, expect, it } from 'vitest';
import { JobMessagingErrorCode } from './solve-job-queue.js';
import { TRAJECTORY_COMPLETED_TYPE, TrajectoryPublisher, trajectoryKey } from './trajectory-publisher.js';

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
