import { searchV1 } from '@rstar/contracts';
import { RpcCallError, RpcErrorCode } from '@rstar/messaging';
import { describe, expect, it } from 'vitest';
import { BlockingPolicy, ConstantPpm, delivery, EqualityGrader, FailingPolicy, fakePorts, outboxTrees, type FakePorts } from '../test/doubles.js';
import { isPermanentFailure, SolveJobRunner, type RunnerLogger } from './solve-job-runner.js';

const { JOB_STATUS_RUNNING: RUNNING, JOB_STATUS_SUCCEEDED: SUCCEEDED, JOB_STATUS_FAILED: FAILED } = searchV1.JobStatus;

class RecordingLogger implements RunnerLogger {
  readonly lines: string[] = [];
  log(message: string): void {
    this.lines.push(`log ${message}`);
  }
  warn(message: string): void {
    this.lines.push(`warn ${message}`);
  }
  error(message: string): void {
    this.lines.push(`error ${message}`);
  }
}

function runner(ports: FakePorts, workerId = 'worker-a'): { runner: SolveJobRunner; logger: RecordingLogger } {
  const logger = new RecordingLogger();
  return { runner: new SolveJobRunner(ports, { workerId, retryDelayMs: 5000, logger }), logger };
}

const unavailable = (): RpcCallError => new RpcCallError(RpcErrorCode.NO_RESPONDERS, 'rstar.policy.v1.complete', 'no service answers on rstar.policy.v1.complete');

describe('SolveJobRunner: a job that succeeds', () => {
  it('claims, searches, records progress, completes with the tree in the outbox, sends the final event, then acks', async () => {
    const ports = fakePorts();
    const job = ports.jobs.add({ referenceAnswer: '72', problemId: 'gsm8k-17' });
    const d = delivery(job.id);
    const disposition = await runner(ports).runner.handle(d);

    expect(disposition).toEqual({ action: 'ack' });
    expect(ports.jobs.jobs.get(job.id)).toMatchObject({ status: 'succeeded', workerId: 'worker-a', attempts: 1, answer: '72', policyModel: 'smollm2-135m' });
    expect(ports.jobs.calls).toEqual([`claim ${job.id} worker-a`, `progress ${job.id} 1/2`, `complete ${job.id}`]);
    expect(ports.jobs.outcomes.get(job.id)?.report).toMatchObject({ answer: '72', evaluator: 'ground-truth', rollouts: 1 });

    const trees = outboxTrees(ports.jobs);
    expect(trees).toHaveLength(1);
    expect(trees[0]).toMatchObject({ jobId: job.id, problemId: 'gsm8k-17', referenceAnswer: '72', answer: '72', evaluator: 'ground-truth', policyModel: 'smollm2-135m' });
    expect(ports.jobs.outbox.messages[0]).toMatchObject({ topic: 'trajectories.v1', key: 'gsm8k-17', headers: { 'x-correlation-id': d.correlationId } });
    expect(ports.outbox.nudges).toBe(1);

    const events = ports.progress.events;
    expect(events.map((e) => [e.status, e.rolloutsDone, e.rolloutsTotal])).toEqual([
      [RUNNING, 0, 2],
      [RUNNING, 1, 2],
      [SUCCEEDED, 1, 2],
    ]);
    expect(events.at(-1)).toMatchObject({ jobId: job.id, bestAnswer: '72', bestQ: 1 });
    expect(d.heartbeats).toBe(1); // one per progress report
  });

  it('takes the ground truth only when the job has a reference, else the PPM when enabled, else self-consistency', async () => {
    const plain = fakePorts();
    const j1 = plain.jobs.add();
    await runner(plain).runner.handle(delivery(j1.id));
    expect(plain.jobs.outcomes.get(j1.id)?.report.evaluator).toBe('consistency');

    const ppm = new ConstantPpm();
    const withPpm = fakePorts({ ppm });
    const j2 = withPpm.jobs.add();
    await runner(withPpm).runner.handle(delivery(j2.id));
    expect(withPpm.jobs.outcomes.get(j2.id)?.report.evaluator).toBe('ppm');
    expect(ppm.calls).toBeGreaterThan(0);

    const grader = new EqualityGrader();
    const withBoth = fakePorts({ ppm: new ConstantPpm(), grader });
    const j3 = withBoth.jobs.add({ referenceAnswer: '71' });
    await runner(withBoth).runner.handle(delivery(j3.id));
    expect(withBoth.jobs.outcomes.get(j3.id)?.report.evaluator).toBe('ground-truth');
    expect(grader.calls).toContainEqual(['72', '71']);
  });
});

describe('SolveJobRunner: a job that is not ours (any more)', () => {
  it('acks and drops a job that is finished already or unknown, without searching', async () => {
    const ports = fakePorts();
    const done = ports.jobs.add({ status: 'succeeded' });
    const r = runner(ports).runner;
    expect(await r.handle(delivery(done.id))).toEqual({ action: 'ack' });
    expect(await r.handle(delivery('no-such-job'))).toEqual({ action: 'ack' });
    expect(ports.jobs.calls).toEqual([`claim ${done.id} worker-a`, 'claim no-such-job worker-a']);
    expect(ports.progress.events).toEqual([]);
    expect(outboxTrees(ports.jobs)).toEqual([]);
  });

  it('publishes nothing and leaves the message to its new owner when complete() loses', async () => {
    const ports = fakePorts();
    const job = ports.jobs.add();
    // The job is taken over between the last progress write and complete().
    ports.jobs.complete = (id) => {
      ports.jobs.calls.push(`complete ${id}`);
      return Promise.resolve(false);
    };
    const { runner: r, logger } = runner(ports);
    expect(await r.handle(delivery(job.id))).toEqual({ action: 'abandon' });
    expect(outboxTrees(ports.jobs)).toEqual([]);
    expect(ports.progress.events.map((e) => e.status)).not.toContain(SUCCEEDED);
    expect(logger.lines).toContainEqual(expect.stringContaining('another worker holds it now'));
  });

  it('stops searching once another worker has taken the job over (progress refused)', async () => {
    const ports = fakePorts();
    const job = ports.jobs.add();
    ports.jobs.beforeProgress = (id) => void ports.jobs.claim(id, 'worker-b');
    expect(await runner(ports).runner.handle(delivery(job.id))).toEqual({ action: 'abandon' });
    expect(ports.jobs.calls).not.toContain(`complete ${job.id}`);
    expect(ports.jobs.jobs.get(job.id)).toMatchObject({ status: 'running', workerId: 'worker-b', attempts: 2 });
    expect(outboxTrees(ports.jobs)).toEqual([]);
  });
});

describe('SolveJobRunner: failures', () => {
  it('releases the job and nakks with the retry delay after a transient failure', async () => {
    const ports = fakePorts({ policy: new FailingPolicy(unavailable()) });
    const job = ports.jobs.add();
    const { runner: r, logger } = runner(ports);
    expect(await r.handle(delivery(job.id))).toEqual({ action: 'nak', delayMs: 5000 });
    expect(ports.jobs.jobs.get(job.id)).toMatchObject({ status: 'queued', workerId: null, attempts: 1 });
    expect(ports.jobs.calls).toEqual([`claim ${job.id} worker-a`, `release ${job.id}`]);
    expect(ports.progress.events.map((e) => e.status)).toEqual([RUNNING]);
    expect(logger.lines).toContainEqual(expect.stringMatching(/^warn job .*: attempt failed \(no service answers on rstar\.policy\.v1\.complete\); retried in 5000 ms$/));
  });

  it('fails the job, publishes FAILED and terminates on the last delivery', async () => {
    const ports = fakePorts({ policy: new FailingPolicy(unavailable()) });
    const job = ports.jobs.add();
    const disposition = await runner(ports).runner.handle(delivery(job.id, { deliveryCount: 3, lastDelivery: true }));
    expect(disposition).toEqual({ action: 'term', reason: 'job failed: no service answers on rstar.policy.v1.complete' });
    expect(ports.jobs.jobs.get(job.id)).toMatchObject({ status: 'failed', error: 'no service answers on rstar.policy.v1.complete' });
    expect(ports.progress.events.at(-1)).toMatchObject({ jobId: job.id, status: FAILED, error: 'no service answers on rstar.policy.v1.complete' });
    expect(outboxTrees(ports.jobs)).toEqual([]);
  });

  it('fails at once when retrying cannot help (the model server refused the request)', async () => {
    const rejected = new RpcCallError(RpcErrorCode.UPSTREAM_REJECTED, 'rstar.policy.v1.complete', 'prompt longer than the context');
    const ports = fakePorts({ policy: new FailingPolicy(rejected) });
    const job = ports.jobs.add();
    expect((await runner(ports).runner.handle(delivery(job.id))).action).toBe('term');
    expect(ports.jobs.jobs.get(job.id)?.status).toBe('failed');
  });

  it('leaves the message alone when the job was taken over before it could be released', async () => {
    const policy = new FailingPolicy(unavailable());
    const ports = fakePorts({ policy });
    const job = ports.jobs.add();
    const original = policy.complete.bind(policy);
    policy.complete = () => {
      void ports.jobs.claim(job.id, 'worker-b');
      return original();
    };
    expect(await runner(ports).runner.handle(delivery(job.id))).toEqual({ action: 'abandon' });
    expect(ports.jobs.jobs.get(job.id)).toMatchObject({ status: 'running', workerId: 'worker-b' });
  });

  it('abandons a job whose worker died on its last delivery when it comes back once more (no claim in its name)', async () => {
    const ports = fakePorts();
    const job = ports.jobs.add({ status: 'running', workerId: 'dead-worker', attempts: 3 });
    await runner(ports).runner.onExhausted(delivery(job.id, { deliveryCount: 4, lastDelivery: true }));
    expect(ports.jobs.jobs.get(job.id)).toMatchObject({ status: 'failed', error: 'no worker finished the job in 3 deliveries', attempts: 3, workerId: 'dead-worker' });
    expect(ports.jobs.calls).toEqual([`abandon ${job.id}`]);
    expect(ports.progress.events).toEqual([{ jobId: job.id, status: FAILED, rolloutsDone: 0, rolloutsTotal: 2, error: 'no worker finished the job in 3 deliveries' }]);
    const finished = ports.jobs.add({ status: 'succeeded' });
    await runner(ports).runner.onExhausted(delivery(finished.id, { deliveryCount: 4 }));
    expect(ports.jobs.jobs.get(finished.id)?.status).toBe('succeeded');
  });

  it('classifies RPC failures: contract and refusal errors are permanent, the rest is retried', () => {
    expect(isPermanentFailure(new RpcCallError(RpcErrorCode.INVALID_PAYLOAD, 's', 'm'))).toBe(true);
    expect(isPermanentFailure(new RpcCallError(RpcErrorCode.INVALID_REPLY, 's', 'm'))).toBe(true);
    expect(isPermanentFailure(new RpcCallError(RpcErrorCode.TIMEOUT, 's', 'm'))).toBe(false);
    expect(isPermanentFailure(new RpcCallError(RpcErrorCode.UPSTREAM_UNAVAILABLE, 's', 'm'))).toBe(false);
    expect(isPermanentFailure(new Error('connection terminated'))).toBe(false);
  });
});

describe('SolveJobRunner: shutdown', () => {
  it('aborts the search in flight, releases the job and hands the message back at once', async () => {
    const policy = new BlockingPolicy();
    const ports = fakePorts({ policy });
    const job = ports.jobs.add();
    const { runner: r } = runner(ports);
    const pending = r.handle(delivery(job.id));
    await policy.started;
    expect(r.inFlight).toBe(1);
    r.stop();
    expect(await pending).toEqual({ action: 'nak', delayMs: 0 });
    expect(r.inFlight).toBe(0);
    expect(ports.jobs.jobs.get(job.id)).toMatchObject({ status: 'queued', workerId: null });
    expect(ports.jobs.calls).toEqual([`claim ${job.id} worker-a`, `release ${job.id}`]);
    expect(ports.progress.events.map((e) => e.status)).not.toContain(FAILED);
  });

  it('hands back a job delivered after the stop without claiming it', async () => {
    const ports = fakePorts();
    const job = ports.jobs.add();
    const { runner: r } = runner(ports);
    r.stop();
    expect(await r.handle(delivery(job.id))).toEqual({ action: 'nak', delayMs: 0 });
    expect(ports.jobs.calls).toEqual([]);
  });
});
