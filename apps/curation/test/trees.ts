// Finished trees as the search worker publishes them, for the curation tests.
import type { searchV1 } from '@rstar/contracts';

const base = { reasoning: '', code: '', executed: true, terminal: false, visits: 1 };

/**
 * A ground-truth tree with one correct and one wrong trajectory whose steps differ enough to pair:
 * root → a right first step → the right answer; root → a wrong first step → a wrong answer.
 */
export function groundTruthTree(jobId: string, problemId: string | undefined = 'gsm8k-train-0001'): searchV1.TrajectoryCompleted {
  const nodes: searchV1.TreeNode[] = [
    { ...base, id: 0, depth: 0, kind: 'root', text: 'Natalia sold 48 clips in April and half as many in May. How many in all?', executed: false, q: 0, visits: 4, valueSum: 0 },
    { ...base, id: 1, parentId: 0, depth: 1, kind: 'code', text: '<code>\n# In May she sold half of 48 clips.\nmay = 48 / 2\n<end_of_step>', code: 'may = 48 / 2', q: 1, visits: 2, valueSum: 2 },
    { ...base, id: 2, parentId: 1, depth: 2, kind: 'answer', text: '\nprint(48 + may)\n<end_of_code>\n<output>72.0\n<answer>\\boxed{72}<end_of_answer>', code: 'print(48 + may)', output: '72.0', answer: '72', terminal: true, terminalReason: 'answer', q: 1, visits: 2, valueSum: 2, reward: 1, correct: true },
    { ...base, id: 3, parentId: 0, depth: 1, kind: 'code', text: '<code>\n# Double the clips of April for the total number of clips sold.\ntotal = 48 * 2 * 2\n<end_of_step>', code: 'total = 48 * 2 * 2', q: -1, visits: 2, valueSum: -2 },
    { ...base, id: 4, parentId: 3, depth: 2, kind: 'answer', text: '\nprint(total)\n<end_of_code>\n<output>192\n<answer>\\boxed{192}<end_of_answer>', code: 'print(total)', output: '192', answer: '192', terminal: true, terminalReason: 'answer', q: -1, visits: 2, valueSum: -2, reward: -1, correct: false },
  ];
  return {
    jobId,
    problemId,
    question: 'Natalia sold 48 clips in April and half as many in May. How many in all?',
    referenceAnswer: '72',
    method: 'mcts',
    evaluator: 'ground-truth',
    answer: '72',
    answerQ: 1,
    bestTrajectory: [0, 1, 2],
    nodes,
    searchConfigJson: '{"method":"mcts","rollouts":4}',
    policyModel: 'policy-r0',
    rollouts: 4,
    elapsedMs: 10,
    completedAt: '2026-12-07T00:00:00.000Z',
  };
}
