import { PolicyRequestError, type CompletionRequest } from '@rstar/clients';
import { sftPrompt } from '@rstar/step-format';
import { describe, expect, it } from 'vitest';
import { CommentPpm, EqualityGrader, FakeSandbox, ScriptedPolicy, type Script } from '../test/doubles.js';
import { AnswerGrouper, ConsistencyEvaluator, GroundTruthEvaluator, PpmEvaluator, type TerminalEvaluator } from './evaluators.js';
import { parseSearchConfig, type SearchConfigInput } from './search-config.js';
import { runSearch, type SearchProgress } from './search.js';
import { SandboxUnavailableError } from './step-expander.js';
import { qValue } from './search-node.js';
import { toSearchReport } from './search-report.js';

const Q = 'Natalia sold 48 clips in April and half as many in May. How many in total?';
const answer = (a: string): string => `\n<answer>So the total is \\boxed{${a}}.<end_of_answer>`;
const step = (code: string): string => `\n${code}\n<end_of_step>`;

function setup(script: Script, config: SearchConfigInput, evaluator?: (grader: EqualityGrader) => TerminalEvaluator) {
  const policy = new ScriptedPolicy(() => sftPrompt(Q), script);
  const sandbox = new FakeSandbox();
  const grader = new EqualityGrader();
  const deps = { policy, sandbox, evaluator: evaluator ? evaluator(grader) : new GroundTruthEvaluator(grader, '72') };
  const progress: SearchProgress[] = [];
  const run = () => runSearch(Q, parseSearchConfig({ promptStyle: 'sft', ...config }), deps, { onProgress: (p) => progress.push(p) });
  return { policy, sandbox, grader, progress, run };
}

describe('MCTS expansion', () => {
  it('drops duplicate candidates and keeps only the first answer', async () => {
    const { run } = setup(
      (depth) => (depth === 0 ? [step('x = 1'), step('x  =  1 '), step('y = 2'), answer('72'), answer('71')] : [answer('72')]),
      { rollouts: 1, width: 5 },
    );
    const { tree } = await run();
    const kids = tree.children(tree.root);
    expect(kids.map((k) => k.step?.kind)).toEqual(['code', 'code', 'answer']);
    expect(kids[2]?.step?.answer).toBe('72');
  });

  it('asks the policy for n candidates with the step stop markers, stop strings included', async () => {
    const { policy, run } = setup(() => [answer('72')], { rollouts: 1, width: 3, temperature: 0.5, maxStepTokens: 99 });
    await run();
    const req = policy.requests[0]!;
    expect(req).toMatchObject({ n: 3, temperature: 0.5, maxTokens: 99, includeStopStrInOutput: true });
    expect(req.stop).toEqual(['<end_of_step>', '<end_of_code>', '<end_of_answer>', '<|user|>']);
    expect(req.prompt).toBe(sftPrompt(Q));
  });
});

describe('MCTS selection and back-propagation', () => {
  const script: Script = (depth, _r, trajectory) =>
    depth === 0 ? [step('x = 1'), step('y = 2')] : trajectory.includes('x = 1') ? [answer('72')] : [answer('5')];

  it('descends high-Q children first, marks exhausted nodes terminal, and backs up +1/-1', async () => {
    const { run, grader } = setup(script, { rollouts: 5, width: 2 });
    const result = await run();
    const { tree } = result;
    const [a, b] = tree.children(tree.root);
    // Rollout 1 takes the first child (ties go first) and finds the right answer: +1 backed up.
    expect(a).toMatchObject({ visits: 1, valueSum: 1, terminal: true, terminalReason: 'exhausted' });
    // a's only child ended, so a ended too; rollout 2 explores b and is wrong; then the tree is exhausted.
    expect(b).toMatchObject({ visits: 1, valueSum: -1 });
    expect(tree.root).toMatchObject({ visits: 2, valueSum: 0 });
    const wrong = tree.children(b!)[0]!;
    expect(wrong).toMatchObject({ reward: -1, correct: false, terminalReason: 'answer' });
    expect(result.answer).toBe('72');
    expect(result.answerQ).toBe(1);
    expect(result.rollouts).toBe(2);
    expect(tree.root.terminalReason).toBe('exhausted');
    expect(grader.calls).toBe(2);
  });

  it('reports progress after every rollout with the best answer so far', async () => {
    const { run, progress } = setup(script, { rollouts: 3, width: 2 });
    await run();
    expect(progress.map((p) => p.done)).toEqual([1, 2]);
    expect(progress[0]).toMatchObject({ total: 3, bestAnswer: '72', bestQ: 1 });
  });

  it('stops early when the whole tree is exhausted', async () => {
    const { run } = setup(() => [answer('72')], { rollouts: 10, width: 1 });
    const result = await run();
    expect(result.tree.root.terminal).toBe(true);
    expect(result.rollouts).toBe(1);
  });
});

describe('terminal rules', () => {
  it('ends a trajectory after too many consecutive code errors, with -1 not backed up', async () => {
    const { run, sandbox } = setup((depth) => [step(`raise ValueError(${depth})`)], { rollouts: 1, width: 1, maxConsecutiveErrors: 2 });
    const { tree } = await run();
    const [first] = tree.children(tree.root);
    const second = tree.children(first!)[0]!;
    expect(first).toMatchObject({ errorKind: 'runtime', consecutiveErrors: 1, terminalReason: 'exhausted' });
    expect(second).toMatchObject({ terminal: true, terminalReason: 'code_errors', reward: -1, visits: 1, valueSum: -1 });
    expect(tree.root.visits).toBe(0);
    // A failed step stays out of the programs of its descendants.
    expect(sandbox.programs[1]).toBe('raise ValueError(1)');
    // ... but its error is shown to the model.
    expect(first!.rendered).toContain('<output>ValueError: boom<end_of_output>');
  });

  it('with a limit of one error, the first failing step ends the trajectory', async () => {
    const { run } = setup(() => [step('while True: pass')], { rollouts: 1, width: 1, maxConsecutiveErrors: 1 });
    const { tree } = await run();
    expect(tree.children(tree.root)[0]).toMatchObject({ errorKind: 'timeout', terminalReason: 'code_errors' });
  });

  it('resets the error count after a step that runs', async () => {
    const { run } = setup((d) => [step(d === 1 ? 'ok = 1' : `raise E${d}`)], { rollouts: 1, width: 1, maxConsecutiveErrors: 2, maxDepth: 4 });
    const { tree } = await run();
    expect(tree.nodes.slice(1).map((n) => n.consecutiveErrors)).toEqual([1, 0, 1, 2]);
  });

  it('ends a trajectory at a step deeper than the maximum depth (METHOD.md: depth > 16), with -1 not backed up', async () => {
    const { run } = setup((d) => [step(`v${d} = ${d}`)], { rollouts: 1, width: 1, maxDepth: 3 });
    const { tree } = await run();
    const deepest = tree.nodes[tree.nodes.length - 1]!;
    expect(deepest).toMatchObject({ depth: 4, terminal: true, terminalReason: 'max_depth', reward: -1 });
    expect(tree.nodes.filter((n) => n.terminalReason === 'max_depth')).toHaveLength(1);
    expect(tree.root.visits).toBe(0);
  });

  it('an answer at the maximum depth is still scored', async () => {
    const { run } = setup((d) => (d < 2 ? [step(`v${d} = ${d}`)] : [answer('72')]), { rollouts: 1, width: 1, maxDepth: 3 });
    const result = await run();
    expect(result.tree.nodes[3]).toMatchObject({ depth: 3, terminalReason: 'answer', reward: 1 });
    expect(result.answer).toBe('72');
  });

  it('an answer the grader could not score is left unscored and not backed up', async () => {
    const { run } = setup(() => [answer('72')], { rollouts: 1, width: 1 }, () => new GroundTruthEvaluator(new EqualityGrader(2), '72'));
    const { tree } = await run();
    expect(tree.nodes[1]).toMatchObject({ terminalReason: 'answer', reward: null, correct: null, visits: 0 });
    expect(tree.root.visits).toBe(0);
  });

  it('a prompt the model cannot hold ends its branch with -1; the search goes on', async () => {
    const tooLong = new PolicyRequestError('http://policy/v1/completions', 400, 'the prompt has 5000 tokens', 'context_length_exceeded');
    const policy = new ScriptedPolicy(() => sftPrompt(Q), (d) => (d === 0 ? [step('x = 1'), answer('72')] : []));
    const full = { complete: (request: CompletionRequest) => (request.prompt.includes('x = 1') ? Promise.reject(tooLong) : policy.complete(request)) };
    const grader = new EqualityGrader();
    const result = await runSearch(Q, parseSearchConfig({ promptStyle: 'sft', rollouts: 4, width: 2 }), { policy: full, sandbox: new FakeSandbox(), evaluator: new GroundTruthEvaluator(grader, '72') });
    const [deep, right] = result.tree.children(result.tree.root);
    expect(deep).toMatchObject({ terminal: true, terminalReason: 'context_full', reward: -1, visits: 1 });
    expect(right).toMatchObject({ terminalReason: 'answer', reward: 1 });
    expect(result.answer).toBe('72');
    // Other refusals are not the trajectory's length: they fail the search.
    const refused = { complete: () => Promise.reject(new PolicyRequestError('http://policy/v1/completions', 400, 'bad stop', null)) };
    await expect(runSearch(Q, parseSearchConfig({ promptStyle: 'sft' }), { policy: refused, sandbox: new FakeSandbox(), evaluator: new GroundTruthEvaluator(grader, '72') })).rejects.toThrow('bad stop');
  });

  it('scores every terminal child of one expansion: the answer backed up, a failed step -1 on itself', async () => {
    const { run } = setup((d) => (d === 0 ? [step('x = 1')] : [step('raise A'), answer('72')]), { rollouts: 1, width: 2, maxConsecutiveErrors: 1 });
    const { tree } = await run();
    const [x] = tree.children(tree.root);
    const [failed, right] = tree.children(x!);
    expect(failed).toMatchObject({ terminalReason: 'code_errors', reward: -1, visits: 1, valueSum: -1 });
    expect(right).toMatchObject({ terminalReason: 'answer', reward: 1, visits: 1, valueSum: 1 });
    expect(x).toMatchObject({ visits: 1, valueSum: 1 });
    expect(tree.root).toMatchObject({ visits: 1, valueSum: 1 });
  });

  it('a leaf whose expansion gives no candidate ends with -1, not backed up', async () => {
    const { run } = setup((d) => (d === 0 ? [step('x = 1')] : []), { rollouts: 2, width: 2 });
    const { tree } = await run();
    expect(tree.nodes[1]).toMatchObject({ terminal: true, terminalReason: 'no_candidates', reward: -1, visits: 1, valueSum: -1 });
    expect(tree.root).toMatchObject({ visits: 0, terminal: true, terminalReason: 'exhausted' });
  });

  it('ends a trajectory at a step whose reasoning repeats an earlier one, with -1', async () => {
    // The loop a small policy fell into under greedy decoding: the same comment, a new variable name.
    const loop = (d: number) => [step(d === 0 ? '# He runs 3 sprints.\ns = 3' : d === 1 ? '# He runs 60/3 = 20 sprints a week.\nw = s / 3' : `# He runs 60/3 = 20 sprints a week.\nw_${d} = w / 3`)];
    const { run } = setup(loop, { rollouts: 1, width: 1 });
    const { tree } = await run();
    expect(tree.nodes.slice(1).map((n) => n.terminalReason)).toEqual(['exhausted', 'exhausted', 'repeated_step']);
    expect(tree.nodes[3]).toMatchObject({ depth: 3, reward: -1, visits: 1, valueSum: -1 });
    expect(tree.root.visits).toBe(0);
  });

  it('ends a trajectory at a step without reasoning whose code repeats an earlier step', async () => {
    const { run } = setup((d) => [step(d === 0 ? 'x = 1' : d === 1 ? 'y = x + 1' : 'y  =  x + 1')], { rollouts: 1, width: 1 });
    const { tree } = await run();
    expect(tree.nodes.map((n) => n.terminalReason)).toEqual(['exhausted', 'exhausted', 'exhausted', 'repeated_step']);
  });

  it('with endOnRepeatedStep off, a repeating trajectory runs to the maximum depth', async () => {
    const { run } = setup(() => [step('# Again.\nx = 1')], { rollouts: 1, width: 1, maxDepth: 4, endOnRepeatedStep: false });
    const { tree } = await run();
    expect(tree.nodes[tree.nodes.length - 1]).toMatchObject({ depth: 5, terminalReason: 'max_depth' });
  });

  it('retries a program whose sandbox failed (not the code\'s fault), and stops the search when it keeps failing', async () => {
    const flaky = setup(() => [step('x = 1')], { rollouts: 1, width: 1, maxDepth: 1 });
    const sandbox = new FakeSandbox(1);
    const result = await runSearch(Q, parseSearchConfig({ promptStyle: 'sft', rollouts: 1, width: 1, maxDepth: 1 }), { policy: flaky.policy, sandbox, evaluator: new GroundTruthEvaluator(flaky.grader, '72') });
    expect(sandbox.programs).toEqual(['x = 1', 'x = 1', 'x = 1\nx = 1']);
    expect(result.tree.nodes[1]).toMatchObject({ errorKind: null, consecutiveErrors: 0 });
    const down = runSearch(Q, parseSearchConfig({ promptStyle: 'sft', rollouts: 1, width: 1 }), { policy: flaky.policy, sandbox: new FakeSandbox(3), evaluator: new GroundTruthEvaluator(flaky.grader, '72') });
    await expect(down).rejects.toThrow(SandboxUnavailableError);
  });

  it('a step cut by the token limit counts as an error', async () => {
    const { run } = setup(() => ['\nx = (1 +'], { rollouts: 1, width: 1, maxConsecutiveErrors: 1 });
    const { tree } = await run();
    expect(tree.children(tree.root)[0]).toMatchObject({ errorKind: 'truncated', executed: false, terminalReason: 'code_errors' });
  });

  it('runs the cumulative program and shows the final output to the next step', async () => {
    const { run, sandbox, policy } = setup(
      (d, _r, t) => (d === 0 ? [step('a = 48')] : d === 1 ? ['\nprint(72)\n<end_of_code>'] : t.includes('<output>72<end_of_output>') ? [answer('72')] : [answer('0')]),
      { rollouts: 1, width: 1 },
    );
    const result = await run();
    expect(sandbox.programs).toEqual(['a = 48', 'a = 48\nprint(72)']);
    expect(result.tree.nodes[2]).toMatchObject({ output: '72', executed: true });
    expect(policy.requests[2]?.prompt).toContain('<end_of_code>\n<output>72<end_of_output>\n');
    expect(result.answer).toBe('72');
  });
});

describe('determinism and PPM-augmented Q', () => {
  const branching: Script = (depth, req) => {
    const r = req.seed ?? 0;
    return depth < 2 ? [step(`v = ${r % 7}`), step(`w = ${r % 5}`), answer(String(r % 3 === 0 ? 72 : r % 3))] : [answer('72')];
  };

  it('gives the same tree for the same seed, a different one for another seed', async () => {
    const strip = (r: Awaited<ReturnType<ReturnType<typeof setup>['run']>>) => ({ ...toSearchReport(r), elapsedMs: 0 });
    const one = strip(await setup(branching, { rollouts: 6, width: 3, seed: 7 }).run());
    const two = strip(await setup(branching, { rollouts: 6, width: 3, seed: 7 }).run());
    const other = strip(await setup(branching, { rollouts: 6, width: 3, seed: 8 }).run());
    expect(two).toEqual(one);
    expect(other.nodes).not.toEqual(one.nodes);
  });

  it('gives each new child the PPM score as its first value, Q = (ppm + W) / (1 + N)', async () => {
    const policy = new ScriptedPolicy(() => sftPrompt(Q), (d) => (d === 0 ? [step('# score=0\nx = 1'), step('# score=5\ny = 2')] : [answer('72')]));
    const ppm = new CommentPpm();
    const result = await runSearch(Q, parseSearchConfig({ promptStyle: 'sft', rollouts: 1, width: 2 }), {
      policy,
      sandbox: new FakeSandbox(),
      ppm,
      evaluator: new PpmEvaluator(ppm),
    });
    const [low, high] = result.tree.children(result.tree.root);
    expect(high!.ppmScore).toBeCloseTo(Math.tanh(1), 10);
    expect(low!.ppmScore).toBe(0);
    // The higher-scored child was explored first although it came second.
    expect(high!.visits).toBe(1);
    expect(low!.visits).toBe(0);
    const leaf = result.tree.children(high!)[0]!;
    expect(qValue(high!)).toBeCloseTo((Math.tanh(1) + leaf.reward!) / 2, 10);
  });

  it('round 3: the ground truth scores answers while the PPM gives each step its first value', async () => {
    const policy = new ScriptedPolicy(() => sftPrompt(Q), (d, _r, t) =>
      d === 0 ? [step('# score=5\nx = 1'), step('# score=-5\ny = 2')] : t.includes('x = 1') ? [answer('72')] : [answer('5')],
    );
    const ppm = new CommentPpm();
    const grader = new EqualityGrader();
    const result = await runSearch(Q, parseSearchConfig({ promptStyle: 'sft', rollouts: 4, width: 2 }), { policy, sandbox: new FakeSandbox(), ppm, evaluator: new GroundTruthEvaluator(grader, '72') });
    const [good, bad] = result.tree.children(result.tree.root);
    const [right] = result.tree.children(good!);
    const [wrong] = result.tree.children(bad!);
    expect(right).toMatchObject({ reward: 1, correct: true });
    expect(wrong).toMatchObject({ reward: -1, correct: false });
    // Q = (ppm + W) / (1 + N) with the ground truth's +1 / -1 as W.
    expect(qValue(good!)).toBeCloseTo((Math.tanh(1) + 1) / 2, 10);
    expect(qValue(bad!)).toBeCloseTo((Math.tanh(-1) - 1) / 2, 10);
    expect(result.answer).toBe('72');
  });

  it('fails loudly when the PPM leaves a step without a score (it was read as 0)', async () => {
    const policy = new ScriptedPolicy(() => sftPrompt(Q), () => [step('x = 1'), step('y = 2')]);
    const short = { score: () => Promise.resolve([0.5]) };
    const search = runSearch(Q, parseSearchConfig({ promptStyle: 'sft', rollouts: 1, width: 2 }), { policy, sandbox: new FakeSandbox(), ppm: short, evaluator: new PpmEvaluator(short) });
    await expect(search).rejects.toThrow('the PPM returned 1 scores for 2 steps');
  });
});

describe('other search methods', () => {
  const script: Script = (depth, req) => (depth === 0 ? [step(`x = ${req.seed ?? 0}`), step('y = 1')] : [answer(req.temperature === 0 ? '72' : '72')]);

  it('greedy: one trajectory at temperature 0, one candidate per step', async () => {
    const { run, policy } = setup(script, { method: 'greedy' });
    const result = await run();
    expect(policy.requests.every((r) => r.n === 1 && r.temperature === 0)).toBe(true);
    expect(result.tree.nodes.length).toBe(3);
    expect(result.answer).toBe('72');
  });

  it('best-of-N: N trajectories from one batched first request; consistency picks the agreed answer', async () => {
    const policy = new ScriptedPolicy(
      () => sftPrompt(Q),
      (depth, req) => (depth === 0 ? Array.from({ length: req.n }, (_, i) => step(`x = ${i}`)) : [answer(req.prompt.includes('x = 1') ? '9' : '72')]),
    );
    const result = await runSearch(Q, parseSearchConfig({ promptStyle: 'sft', method: 'best-of-n', rollouts: 4 }), {
      policy,
      sandbox: new FakeSandbox(),
      evaluator: new ConsistencyEvaluator(new AnswerGrouper(null)),
    });
    expect(policy.requests[0]?.n).toBe(4);
    expect(result.rollouts).toBe(4);
    expect(result.answer).toBe('72');
    const rewards = result.tree.answerNodes().map((n) => n.reward);
    expect(rewards).toContain(-1 / 3); // the lone '9' of four answers at the time it was scored: (1 - 3) / (4 + 2)
  });

  it('beam: keeps the best steps per depth, preferring steps whose code ran', async () => {
    const { run } = setup(
      (depth) => (depth === 0 ? [step('raise A'), step('ok = 1'), step('ok = 2')] : [answer('72')]),
      { method: 'beam', width: 3, beamWidth: 2, maxConsecutiveErrors: 2 },
    );
    const result = await run();
    const root = result.tree.root;
    const expanded = result.tree.children(root).filter((c) => c.childIds.length > 0);
    expect(expanded.map((c) => c.step?.code)).toEqual(['ok = 1', 'ok = 2']);
    expect(result.answer).toBe('72');
  });
});
