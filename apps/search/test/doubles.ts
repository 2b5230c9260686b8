// Test doubles for the search worker's unit tests: policy/sandbox/grader clients and recording sinks (the
// in-memory job store is @rstar/job-lifecycle's). Never used outside tests.
import type { CompletionRequest, CompletionResult, GradeResult, GraderClient, PolicyClient, PpmClient, SandboxClient, SandboxRunResult } from '@rstar/clients';
import { searchV1 } from '@rstar/contracts';
import { InMemoryJobStore } from '@rstar/job-lifecycle/testing';
import type { ConsumeOptions, SolveJobDelivery, SolveJobHandler } from '@rstar/messaging';
import type { JobSource, OpenedSearchPorts, OutboxPublisher, ProgressSink, SearchClients } from '../src/search.ports.js';

export { InMemoryJobStore };

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

export class RecordingProgress implements ProgressSink {
  readonly events: searchV1.SolveProgressed[] = [];
  publish(event: searchV1.SolveProgressed): void {
    this.events.push(event);
  }
}

/** Counts nudges; run() resolves when its signal aborts. What a job left to publish is in the job store's outbox. */
export class RecordingOutboxPublisher implements OutboxPublisher {
  nudges = 0;
  runs = 0;
  stopped = 0;

  nudge(): void {
    this.nudges++;
  }

  run(signal: AbortSignal): Promise<void> {
    this.runs++;
    return new Promise((resolve) => {
      const stop = (): void => {
        this.stopped++;
        resolve();
      };
      if (signal.aborted) stop();
      else signal.addEventListener('abort', stop, { once: true });
    });
  }
}

/** The trees finished jobs left in the outbox, decoded as a Kafka consumer would. */
export function outboxTrees(jobs: InMemoryJobStore): searchV1.TrajectoryCompleted[] {
  return jobs.outbox.messages.map((m) => searchV1.TrajectoryCompleted.fromJSON(JSON.parse(m.payload)));
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
  outbox: RecordingOutboxPublisher;
  queue: IdleQueue;
  closed: number;
}

export function fakePorts(clients: Partial<SearchClients> = {}): FakePorts {
  const ports: FakePorts = {
    jobs: new InMemoryJobStore(),
    queue: new IdleQueue(),
    progress: new RecordingProgress(),
    outbox: new RecordingOutboxPublisher(),
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
