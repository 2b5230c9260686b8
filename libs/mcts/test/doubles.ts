// Test doubles for unit tests of the search: a scripted policy, a sandbox that interprets a tiny subset of
// Python, and a string-equality grader. Never used outside tests.
import type {
  CompletionRequest,
  CompletionResult,
  GradeResult,
  GraderClient,
  PolicyClient,
  PpmClient,
  SandboxClient,
  SandboxRunResult,
} from '@rstar/clients';

export type Script = (depth: number, request: CompletionRequest, trajectory: string) => string[];

/** Returns scripted candidate steps by trajectory depth; each text ends with its stop marker. */
export class ScriptedPolicy implements PolicyClient {
  readonly requests: CompletionRequest[] = [];

  constructor(
    private readonly prefixOf: (prompt: string) => string,
    private readonly script: Script,
  ) {}

  complete(request: CompletionRequest): Promise<CompletionResult> {
    this.requests.push(request);
    const trajectory = request.prompt.slice(this.prefixOf(request.prompt).length);
    const depth = (trajectory.match(/<end_of_step>|<end_of_code>/g) ?? []).length;
    const texts = this.script(depth, request, trajectory).slice(0, request.n);
    return Promise.resolve({
      choices: texts.map((text, index) => {
        const stop = ['<end_of_step>', '<end_of_code>', '<end_of_answer>'].find((m) => text.endsWith(m)) ?? null;
        return { index, text, finishReason: stop ? 'stop' : 'length', stopReason: stop };
      }),
      usage: { promptTokens: request.prompt.length, completionTokens: texts.join('').length },
    });
  }
}

/** "Runs" programs: `raise` fails, `while True` times out, `print(<int>)` prints it. */
export class FakeSandbox implements SandboxClient {
  readonly programs: string[] = [];

  /** @param internalFailures the first this-many runs fail as the sandbox's own fault (a runtime that died). */
  constructor(private internalFailures = 0) {}

  run(code: string): Promise<SandboxRunResult> {
    this.programs.push(code);
    const base = { durationMs: 1, cached: false };
    if (this.internalFailures > 0) {
      this.internalFailures--;
      return Promise.resolve({ ...base, ok: false, stdout: '', errorKind: 'internal', errorMessage: 'the sandbox runtime died (exit 1)' });
    }
    if (code.includes('raise')) return Promise.resolve({ ...base, ok: false, stdout: '', errorKind: 'runtime', errorMessage: 'ValueError: boom' });
    if (code.includes('while True')) return Promise.resolve({ ...base, ok: false, stdout: '', errorKind: 'timeout', errorMessage: 'timed out' });
    const printed = [...code.matchAll(/print\((\d+)\)/g)].map((m) => `${m[1]}\n`).join('');
    return Promise.resolve({ ...base, ok: true, stdout: printed, errorKind: null, errorMessage: '' });
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

export class EqualityGrader implements GraderClient {
  calls = 0;

  /** @param failures the first this-many calls come back with a grader error (a timeout). */
  constructor(private failures = 0) {}

  grade(answer: string, reference: string): Promise<GradeResult> {
    this.calls++;
    if (this.failures > 0) {
      this.failures--;
      return Promise.resolve({ equivalent: false, answerParsed: '', referenceParsed: '', error: 'timeout' });
    }
    return Promise.resolve({ equivalent: answer.trim() === reference.trim(), answerParsed: answer, referenceParsed: reference, error: null });
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** Scores a step by the number written in a `# score=<n>` comment, 0 without one. */
export class CommentPpm implements PpmClient {
  score(_question: string, stepsList: string[][]): Promise<number[]> {
    return Promise.resolve(stepsList.map((steps) => Number(/# score=(-?[\d.]+)/.exec(steps[steps.length - 1] ?? '')?.[1] ?? 0)));
  }
}
