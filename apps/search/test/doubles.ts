// Test doubles for the search worker's unit tests: an in-memory job store with the real store's conditional
// transitions, policy/sandbox/grader clients, and recording sinks. Never used outside tests.
import type { CompletionRequest, CompletionResult, GradeResult, GraderClient, PolicyClient, PpmClient, SandboxClient, SandboxRunResult } from '@rstar/clients';
import type { searchV1 } from '@rstar/contracts';
import { parseSearchConfig, type SearchConfigInput } from '@rstar/mcts';
import type { ConsumeOptions, SolveJobDelivery, SolveJobHandler } from '@rstar/messaging';
import type { JobOutcome, JobProgress, NewSolveJob, Page, SolveJobRecord, SolveJobStore } from '@rstar/persistence';
import type { JobSource, OpenedSearchPorts, ProgressSink, SearchClients, TrajectorySink } from '../src/search.ports.js';

export const ANSWER_STEP = (answer: string): string => `\n<answer>So the answer is \\boxed{${answer}}.<end_of_answer>`;

/** Answers every request with the same final-answer step. */
export class AnsweringPolicy implements PolicyClient {
  readonly requests: CompletionRequest[] = [];

  constructor(private readonly answer = '72') {}

  complete(request: CompletionRequest): Promise<CompletionResult> {
    this.requests.push(request);
    const text = ANSWER_STEP(this.answer);
    return Promise.resolve({
      choices: Array.from({ length: request.n }, (_, index) => ({ index, text, finishReason: 'stop' as const, stopReason: '<end_of_answer>' })),
      usage: { promptTokens: 10, completionTokens: 10 },
    });
  }
}

/** Never answers: the request ends only when its signal aborts (a long search). `started` resolves on the first call. */
export class BlockingPolicy implements PolicyClient {
  private resolveStarted: () => void = () => undefined;
  readonly started = new Promise<void>((resolve) => (this.resolveStarted = resolve));

  complete(_request: CompletionRequest, signal?: AbortSignal): Promise<CompletionResult> {
    this.resolveStarted();
    return new Promise((_, reject) => signal?.addEventListener('abort', () => reject(signal.reason as Error), { once: true }));
  }
}

/** Holds every request until open() is called (or its signal aborts), then answers like AnsweringPolicy. `started` resolves on the first call. */
export class GatedPolicy implements PolicyClient {
  private readonly answering = new AnsweringPolicy();
  private resolveStarted: () => void = () => undefined;
  private resolveGate: () => void = () => undefined;
  readonly started = new Promise<void>((resolve) => (this.resolveStarted = resolve));
  private readonly gate = new Promise<void>((resolve) => (this.resolveGate = resolve));

  async complete(request: CompletionRequest, signal?: AbortSignal): Promise<CompletionResult> {
    this.resolveStarted();
    await Promise.race([
      this.gate,
      new Promise((_, reject) => signal?.addEventListener('abort', () => reject(signal.reason as Error), { once: true })),
    ]);
    return this.answering.complete(request);
  }

  open(): void {
    this.resolveGate();
  }
}

/** Fails every request with the given error. */
export class FailingPolicy implements PolicyClient {
  calls = 0;
  constructor(private readonly error: Error) {}

  complete(): Promise<CompletionResult> {
    this.calls++;
    return Promise.reject(this.error);
  }
}

export class OkSandbox implements SandboxClient {
  run(): Promise<SandboxRunResult> {
    return Promise.resolve({ ok: true, stdout: '', errorKind: null, errorMessage: '', durationMs: 1, cached: false });
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

export class EqualityGrader implements GraderClient {
  readonly calls: [string, string][] = [];

  grade(answer: string, reference: string): Promise<GradeResult> {
    this.calls.push([answer, reference]);
    return Promise.resolve({ equivalent: answer.trim() === reference.trim(), answerParsed: answer, referenceParsed: reference, error: null });
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

export class ConstantPpm implements PpmClient {
  calls = 0;
  score(_question: string, stepsList: string[][]): Promise<number[]> {
    this.calls++;
    return Promise.resolve(stepsList.map(() => 2));
  }
}

/** SolveJobStore in memory, with the real store's rules: each transition only from the state it names. */
export class InMemoryJobStore implements SolveJobStore {
  readonly jobs = new Map<string, SolveJobRecord>();
  readonly calls: string[] = [];
  readonly outcomes = new Map<string, JobOutcome>();
  /** Runs before recordProgress answers (a test makes another worker take the job over here). */
  beforeProgress: (id: string) => void = () => undefined;
  private seq = 0;

  add(fields: Partial<SolveJobRecord> & { config?: SearchConfigInput } = {}): SolveJobRecord {
    const id = fields.id ?? `job-${++this.seq}`;
    const { config, ...rest } = fields;
    const record: SolveJobRecord = {
      id,
      question: 'What is 8 * 9?',
      referenceAnswer: null,
      problemId: null,
      status: 'queued',
      attempts: 0,
      workerId: null,
      answer: null,
      answerQ: null,
      rolloutsDone: 0,
      rolloutsTotal: 2,
      bestAnswer: null,
      bestQ: null,
      error: null,
      apiKeyId: null,
      correlationId: `corr-${id}`,
      policyModel: null,
      elapsedMs: null,
      createdAt: new Date(0),
      startedAt: null,
      finishedAt: null,
      ...rest,
      config: parseSearchConfig({ rollouts: 2, width: 2, ...config }),
    };
    this.jobs.set(id, record);
    return record;
  }

  create(job: NewSolveJob): Promise<SolveJobRecord> {
    return Promise.resolve(this.add({ question: job.question, referenceAnswer: job.referenceAnswer ?? null, correlationId: job.correlationId }));
  }

  get(id: string): Promise<SolveJobRecord | null> {
    return Promise.resolve(this.jobs.get(id) ?? null);
  }

  claim(id: string, workerId: string): Promise<SolveJobRecord | null> {
    this.calls.push(`claim ${id} ${workerId}`);
    const job = this.jobs.get(id);
    if (!job || (job.status !== 'queued' && job.status !== 'running')) return Promise.resolve(null);
    Object.assign(job, { status: 'running', workerId, attempts: job.attempts + 1, rolloutsDone: 0, bestAnswer: null, bestQ: null });
    return Promise.resolve({ ...job });
  }

  private heldBy(id: string, workerId: string): SolveJobRecord | null {
    const job = this.jobs.get(id);
    return job && job.status === 'running' && job.workerId === workerId ? job : null;
  }

  recordProgress(id: string, workerId: string, progress: JobProgress): Promise<boolean> {
    this.calls.push(`progress ${id} ${progress.rolloutsDone}/${progress.rolloutsTotal}`);
    this.beforeProgress(id);
    const job = this.heldBy(id, workerId);
    if (job) Object.assign(job, progress);
    return Promise.resolve(job !== null);
  }

  complete(id: string, workerId: string, outcome: JobOutcome): Promise<boolean> {
    this.calls.push(`complete ${id}`);
    const job = this.heldBy(id, workerId);
    if (!job) return Promise.resolve(false);
    Object.assign(job, { status: 'succeeded', answer: outcome.report.answer, answerQ: outcome.report.answerQ, policyModel: outcome.policyModel });
    this.outcomes.set(id, outcome);
    return Promise.resolve(true);
  }

  fail(id: string, workerId: string, error: string): Promise<boolean> {
    this.calls.push(`fail ${id}`);
    const job = this.heldBy(id, workerId);
    if (job) Object.assign(job, { status: 'failed', error });
    return Promise.resolve(job !== null);
  }

  release(id: string, workerId: string): Promise<boolean> {
    this.calls.push(`release ${id}`);
    const job = this.heldBy(id, workerId);
    if (job) Object.assign(job, { status: 'queued', workerId: null });
    return Promise.resolve(job !== null);
  }

  list(): Promise<Page<SolveJobRecord>> {
    return Promise.resolve({ items: [...this.jobs.values()], total: this.jobs.size, nextCursor: null });
  }
}

export class RecordingProgress implements ProgressSink {
  readonly events: searchV1.SolveProgressed[] = [];
  publish(event: searchV1.SolveProgressed): void {
    this.events.push(event);
  }
}

export class RecordingTrajectories implements TrajectorySink {
  readonly published: searchV1.TrajectoryCompleted[] = [];
  failWith: Error | null = null;

  publish(event: searchV1.TrajectoryCompleted): Promise<unknown> {
    if (this.failWith) return Promise.reject(this.failWith);
    this.published.push(event);
    return Promise.resolve({ partition: 0, offset: '0' });
  }
}

/** A queue that hands out nothing by itself; consume() resolves when its signal aborts. */
export class IdleQueue implements JobSource {
  readonly consumed: { handler: SolveJobHandler; options: ConsumeOptions }[] = [];

  consume(handler: SolveJobHandler, options: ConsumeOptions): Promise<void> {
    this.consumed.push({ handler, options });
    return new Promise((resolve) => {
      if (options.signal.aborted) resolve();
      options.signal.addEventListener('abort', () => resolve(), { once: true });
    });
  }
}

export function delivery(jobId: string, fields: Partial<SolveJobDelivery> = {}): SolveJobDelivery & { heartbeats: number } {
  const d = {
    jobId,
    correlationId: `corr-${jobId}`,
    deliveryCount: 1,
    maxDeliver: 3,
    lastDelivery: false,
    heartbeats: 0,
    working(): void {
      d.heartbeats++;
    },
    ...fields,
  };
  return d;
}

export interface FakePorts extends OpenedSearchPorts {
  jobs: InMemoryJobStore;
  progress: RecordingProgress;
  trajectories: RecordingTrajectories;
  queue: IdleQueue;
  closed: number;
}

export function fakePorts(clients: Partial<SearchClients> = {}): FakePorts {
  const ports: FakePorts = {
    jobs: new InMemoryJobStore(),
    queue: new IdleQueue(),
    progress: new RecordingProgress(),
    trajectories: new RecordingTrajectories(),
    clients: { policy: new AnsweringPolicy(), sandbox: new OkSandbox(), grader: new EqualityGrader(), ppm: null, ...clients },
    policyModel: () => Promise.resolve('smollm2-135m'),
    probes: { database: () => Promise.resolve() },
    closed: 0,
    close: () => {
      ports.closed++;
      return Promise.resolve();
    },
  };
  return ports;
}
