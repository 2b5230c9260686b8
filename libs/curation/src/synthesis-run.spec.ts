import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CompletionRequest, CompletionResult, GraderClient, PolicyClient, SandboxClient } from '@rstar/clients';
import { RunOptionsMismatchError, type ProblemRecord } from '@rstar/eval';
import { parseSearchConfig } from '@rstar/mcts';
import { describe, expect, it } from 'vitest';
import { PpmPairSchema } from './tree-curation.js';
import { SftRecordSchema } from './sft-record.js';
import { runSynthesis, SYNTHESIS_FILES, type SynthesisRunOptions, type SynthesizedTree } from './synthesis-run.js';

const dir = mkdtempSync(join(tmpdir(), 'rstar-synth-'));

/**
 * For "What is a+b?": the first step is either a right or a wrong computation (two candidates); each leads to an
 * answer step with its result. Problem "What is 0+0?" never finds the right answer.
 */
class SumPolicy implements PolicyClient {
  calls = 0;
  /** Whether "What is 0+0?" is solved too (an extra search with more rollouts finds it). */
  solvesZero = false;
  complete(request: CompletionRequest, signal?: AbortSignal): Promise<CompletionResult> {
    signal?.throwIfAborted();
    this.calls++;
    const [a, b] = (/What is (\d+)\+(\d+)\?/.exec(request.prompt) ?? []).slice(1).map(Number) as [number, number];
    const lastStep = request.prompt.lastIndexOf('<end_of_step>');
    const texts =
      lastStep < 0
        ? [`\n# add the two numbers ${a} and ${b} together\ns = ${a} + ${b}\n<end_of_step>`, `\n# multiply them, which is the wrong thing here\ns = ${a} * ${b}\n<end_of_step>`]
        : [`\n<answer>The answer is \\boxed{${request.prompt.slice(0, lastStep).includes(`${a} + ${b}`) && (a > 0 || this.solvesZero) ? a + b : a * b + 1}}.<end_of_answer>`];
    return Promise.resolve({
      choices: texts.slice(0, request.n).map((text, index) => {
        const stop = text.endsWith('<end_of_step>') ? '<end_of_step>' : '<end_of_answer>';
        return { index, text, finishReason: 'stop' as const, stopReason: stop };
      }),
      usage: { promptTokens: 10, completionTokens: 7 },
    });
  }
}

const sandbox: SandboxClient = {
  run: () => Promise.resolve({ ok: true, stdout: '', errorKind: null, errorMessage: '', durationMs: 1, cached: false }),
  close: () => Promise.resolve(),
};
const grader: GraderClient = {
  grade: (a: string, b: string) => Promise.resolve({ equivalent: a.trim() === b.trim(), answerParsed: a, referenceParsed: b, error: null }),
  close: () => Promise.resolve(),
};

const problems: ProblemRecord[] = [
  { id: 'p1', problem: 'What is 2+3?', answer: '5' },
  { id: 'p2', problem: 'What is 0+0?', answer: '0' },
  { id: 'p3', problem: 'What is 4+4?', answer: '8' },
];

function options(outDir: string, extra: Partial<SynthesisRunOptions> = {}): SynthesisRunOptions {
  return {
    outDir,
    round: 1,
    problems,
    search: parseSearchConfig({ method: 'mcts', promptStyle: 'sft', rollouts: 4, width: 2 }),
    options: { problems: 'test.jsonl', rollouts: 4, width: 2 },
    concurrency: 2,
    ...extra,
  };
}

const lines = (path: string): unknown[] =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as unknown);

describe('runSynthesis', () => {
  it('searches every problem with ground-truth rewards and curates the trees into SFT traces and PPM pairs', async () => {
    const outDir = join(dir, 'full');
    const summary = await runSynthesis({ policy: new SumPolicy(), sandbox, grader }, options(outDir));
    expect(summary).toMatchObject({ round: 1, attempted: 3, covered: 2, complete: true, sessionSearched: 3 });
    const trees = lines(join(outDir, SYNTHESIS_FILES.trees)) as SynthesizedTree[];
    expect(trees.map((t) => t.problemId).sort()).toEqual(['p1', 'p2', 'p3']);
    const sft = lines(join(outDir, SYNTHESIS_FILES.sft)).map((r) => SftRecordSchema.parse(r));
    expect(sft.map((r) => [r.problemId, r.answer])).toEqual([['p1', '5'], ['p3', '8']]);
    expect(sft.every((r) => r.source === 'mcts' && r.round === 1)).toBe(true);
    const pairs = lines(join(outDir, SYNTHESIS_FILES.pairs)).map((p) => PpmPairSchema.parse(p));
    expect(pairs.map((p) => [p.problemId, p.kind])).toEqual([['p1', 'step'], ['p1', 'answer'], ['p3', 'step'], ['p3', 'answer']]);
    expect(summary.traces).toBe(2);
    expect(summary.pairs).toBe(4);
    expect(JSON.parse(readFileSync(join(outDir, SYNTHESIS_FILES.summary), 'utf8'))).toMatchObject({ attempted: 3, covered: 2 });
  });

  it('resumes an interrupted run: every problem appears once in the trees, the traces and the pairs', async () => {
    const outDir = join(dir, 'resumed');
    const stop = new AbortController();
    const first = await runSynthesis({ policy: new SumPolicy(), sandbox, grader }, options(outDir, { concurrency: 1, signal: stop.signal, onProgress: (p) => p.done === 1 && stop.abort() }));
    expect(first).toMatchObject({ attempted: 1, complete: false });
    // A line cut by the kill is dropped and its problem searched again.
    writeFileSync(join(outDir, SYNTHESIS_FILES.trees), `${readFileSync(join(outDir, SYNTHESIS_FILES.trees), 'utf8')}{"problemId": "p2", "que`);
    const policy = new SumPolicy();
    const second = await runSynthesis({ policy, sandbox, grader }, options(outDir));
    expect(second).toMatchObject({ attempted: 3, covered: 2, complete: true, sessionSearched: 2, traces: 2, pairs: 4 });
    // The run's wall time adds the sessions up.
    expect(second.wallMs).toBe(first.wallMs + second.sessionWallMs);
    const trees = lines(join(outDir, SYNTHESIS_FILES.trees)) as SynthesizedTree[];
    expect(trees.map((t) => t.problemId).sort()).toEqual(['p1', 'p2', 'p3']);
    expect(lines(join(outDir, SYNTHESIS_FILES.sft))).toHaveLength(2);
  });

  it('searches the problems the first pass left unsolved again with --extra-rollouts; the new tree replaces the old', async () => {
    const outDir = join(dir, 'extra');
    const policy = new SumPolicy();
    const passes: string[] = [];
    const first = await runSynthesis({ policy, sandbox, grader }, options(outDir));
    expect(first).toMatchObject({ covered: 2, extra: { rollouts: 0, attempted: 0, covered: 0 } });
    // A finished run given a second pass later (extra rollouts are not a resume option).
    const summary = await runSynthesis(
      { policy, sandbox, grader },
      options(outDir, {
        extraRollouts: 6,
        onProgress: (p) => {
          passes.push(`${p.pass}:${p.done}/${p.total}`);
          if (p.pass === 2) policy.solvesZero = true;
        },
      }),
    );
    expect(passes).toEqual(['1:3/3', '2:0/1', '2:1/1']);
    expect(summary).toMatchObject({ attempted: 3, covered: 3, traces: 3, complete: true, sessionSearched: 1, extra: { rollouts: 6, attempted: 1, covered: 1 } });
    const trees = lines(join(outDir, SYNTHESIS_FILES.trees)) as SynthesizedTree[];
    expect(trees.filter((t) => t.pass === 2).map((t) => [t.problemId, t.report.config.rollouts, t.report.config.seed])).toEqual([['p2', 6, 1]]);
    expect(lines(join(outDir, SYNTHESIS_FILES.sft)).map((r) => (r as { problemId: string }).problemId)).toEqual(['p1', 'p2', 'p3']);
    // Run again: nothing left to search in either pass.
    const again = await runSynthesis({ policy, sandbox, grader }, options(outDir, { extraRollouts: 6 }));
    expect(again).toMatchObject({ sessionSearched: 0, covered: 3, complete: true });
  });

  it('refuses to resume with other options', async () => {
    const outDir = join(dir, 'mismatch');
    await runSynthesis({ policy: new SumPolicy(), sandbox, grader }, options(outDir, { problems: problems.slice(0, 1) }));
    await expect(runSynthesis({ policy: new SumPolicy(), sandbox, grader }, options(outDir, { options: { problems: 'test.jsonl', rollouts: 8, width: 2 } }))).rejects.toThrow(RunOptionsMismatchError);
  });
});
