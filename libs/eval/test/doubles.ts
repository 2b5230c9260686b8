// Test doubles for the evaluation harness: a policy that answers from a table, a sandbox that is never needed
// (answers come as answer steps, which run no code) and a string-equality grader. Never used outside tests.
import type { CompletionRequest, CompletionResult, GradeResult, GraderClient, PolicyClient, SandboxClient, SandboxRunResult } from '@rstar/clients';

/** Answers each question with `answers(question, candidateIndex)` as a final answer step. */
export class TablePolicy implements PolicyClient {
  calls = 0;
  readonly questions: string[] = [];

  constructor(private readonly answers: (question: string, index: number) => string) {}

  complete(request: CompletionRequest, signal?: AbortSignal): Promise<CompletionResult> {
    signal?.throwIfAborted();
    this.calls++;
    const question = /<\|user\|>:\n([\s\S]*?)\n<\|assistant\|>/.exec(request.prompt)?.[1] ?? '';
    this.questions.push(question);
    const choices = Array.from({ length: request.n }, (_, index) => ({
      index,
      text: `\n<answer>The answer is \\boxed{${this.answers(question, index)}}.<end_of_answer>`,
      finishReason: 'stop' as const,
      stopReason: '<end_of_answer>',
    }));
    return Promise.resolve({ choices, usage: { promptTokens: 10, completionTokens: 5 * request.n } });
  }
}

export class UnusedSandbox implements SandboxClient {
  run(): Promise<SandboxRunResult> {
    return Promise.reject(new Error('no code was expected to run'));
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

export class EqualityGrader implements GraderClient {
  grade(answer: string, reference: string): Promise<GradeResult> {
    return Promise.resolve({ equivalent: answer.trim() === reference.trim(), answerParsed: answer, referenceParsed: reference, error: null });
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
