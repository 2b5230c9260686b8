import type { GraderClient, PpmClient } from '@rstar/clients';
import { nodeAnswer, type SearchNode } from './search-node.js';
import type { SearchTree } from './search-tree.js';

/**
 * Scores a terminal answer node; the value is backed up to the root. Null: the answer could not be scored (the
 * grader failed twice), so nothing is backed up — a grading failure is not a wrong answer.
 */
export interface TerminalEvaluator {
  readonly name: string;
  evaluate(node: SearchNode, tree: SearchTree): Promise<number | null>;
}

/** Grading attempts per answer: a grader error (a timeout, a worker that died) is retried once. */
const GRADE_ATTEMPTS = 2;

/** The evaluator name a tree scored against the ground truth reports (the trees curation takes). */
export const GROUND_TRUTH_EVALUATOR = 'ground-truth';

/** Data synthesis (terminal-guided): +1 when the answer equals the ground truth, -1 otherwise. */
export class GroundTruthEvaluator implements TerminalEvaluator {
  readonly name = GROUND_TRUTH_EVALUATOR;

  constructor(
    private readonly grader: GraderClient,
    private readonly reference: string,
  ) {}

  async evaluate(node: SearchNode): Promise<number | null> {
    const answer = nodeAnswer(node);
    if (answer === null) return -1;
    for (let attempt = 1; attempt <= GRADE_ATTEMPTS; attempt++) {
      const verdict = await this.grader.grade(answer, this.reference);
      if (verdict.error !== null) continue;
      node.correct = verdict.equivalent;
      return verdict.equivalent ? 1 : -1;
    }
    return null;
  }
}

/** Maps a PPM's raw reward into (-1, 1) before it enters Q (METHOD.md §5). */
export function ppmToValue(raw: number): number {
  return Math.tanh(raw / 5);
}

/** Inference with a PPM: the PPM's score of the terminal step is backed up. */
export class PpmEvaluator implements TerminalEvaluator {
  readonly name = 'ppm';

  constructor(private readonly ppm: PpmClient) {}

  async evaluate(node: SearchNode, tree: SearchTree): Promise<number> {
    if (nodeAnswer(node) === null) return -1;
    if (node.ppmScore !== null) return node.ppmScore;
    const steps = tree.path(node).slice(1).map((n) => n.rendered);
    const [raw] = await this.ppm.score(tree.question, [steps]);
    node.ppmScore = ppmToValue(raw ?? 0);
    return node.ppmScore;
  }
}

/**
 * Inference with neither a PPM nor a ground truth: an answer's value is how strongly the answers found so far
 * agree with it (self-consistency, answers grouped by the grader), shrunk by how few they are. With a agreeing
 * answers (itself included) of n found, the chance that the next answer agrees is taken from Laplace's rule of
 * succession, p = (a + 1) / (n + 2), and the value is the expected vote margin 2p - 1 = (a - (n - a)) / (n + 2).
 * So a lone answer is worth 1/3, not 1: it is unverified; agreement raises it toward 1 (2 of 2: 0.5, 8 of 8: 0.8),
 * and a lone dissenter among 4 gets -1/3.
 */
export class ConsistencyEvaluator implements TerminalEvaluator {
  readonly name = 'consistency';

  constructor(private readonly grouper: AnswerGrouper) {}

  async evaluate(node: SearchNode, tree: SearchTree): Promise<number> {
    const answer = nodeAnswer(node);
    if (answer === null) return -1;
    const answers = tree.answerNodes().map((n) => nodeAnswer(n) ?? '');
    let agreeing = 0;
    for (const other of answers) if (await this.grouper.same(answer, other)) agreeing++;
    return consistencyValue(agreeing, answers.length);
  }
}

/** The value of an answer that `agreeing` of `total` answers found agree with (see ConsistencyEvaluator). */
export function consistencyValue(agreeing: number, total: number): number {
  return (2 * agreeing - total) / (total + 2);
}

export interface TerminalEvaluatorChoice {
  grader: GraderClient;
  /** The problem's reference answer when the search may use it (data synthesis); null at inference. */
  reference: string | null;
  ppm: PpmClient | null;
  /** Shared with whoever else groups this problem's answers (a vote across trees), so verdicts are reused. */
  grouper?: AnswerGrouper;
}

/**
 * The terminal evaluator METHOD.md gives a search: the ground truth when there is a reference answer, else the
 * PPM when there is one, else the agreement between the answers found (self-consistency). The CLI and the
 * search service both choose here.
 */
export function chooseTerminalEvaluator(choice: TerminalEvaluatorChoice): TerminalEvaluator {
  if (choice.reference !== null) return new GroundTruthEvaluator(choice.grader, choice.reference);
  if (choice.ppm) return new PpmEvaluator(choice.ppm);
  return new ConsistencyEvaluator(choice.grouper ?? new AnswerGrouper(choice.grader));
}

/** Decides whether two answers are the same, by the grader when there is one; remembers its verdicts. */
export class AnswerGrouper {
  private readonly memo = new Map<string, boolean>();

  constructor(private readonly grader: GraderClient | null) {}

  async same(a: string, b: string): Promise<boolean> {
    if (normaliseAnswer(a) === normaliseAnswer(b)) return true;
    if (!this.grader) return false;
    const key = a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`;
    const known = this.memo.get(key);
    if (known !== undefined) return known;
    for (let attempt = 1; attempt <= GRADE_ATTEMPTS; attempt++) {
      const verdict = await this.grader.grade(a, b);
      if (verdict.error !== null) continue;
      this.memo.set(key, verdict.equivalent);
      return verdict.equivalent;
    }
    return false; // not remembered: a later pair may be graded when the grader is back

  }
}

/** Cheap textual normalisation, tried before the grader. */
export function normaliseAnswer(answer: string): string {
  return answer.replace(/\s+/g, '').replace(/\\[dt]frac/g, '\\frac').replace(/^\$|\$$/g, '');
}
