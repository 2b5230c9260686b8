import type { NodeReport } from '@rstar/mcts';
import { sftPrompt } from '@rstar/step-format';
import { distance } from 'fastest-levenshtein';
import { z } from 'zod';
import { renderCompletion } from './round0-bootstrap.js';
import { SFT_SCHEMA, type SftRecord, type SftStep } from './sft-record.js';

/** METHOD.md §4, in one place. */
export const CURATION_RULES = {
  /** Correct traces kept per problem for the policy's SFT set. */
  tracesPerProblem: 2,
  /** Chosen and rejected steps taken per node (2 × 2 pairs) ... */
  pairsPerSide: 2,
  /** ... or up to this many from the other side when one side has a single candidate. */
  fallbackPerSide: 4,
  /** A pair's Q values must differ by more than this. */
  minQMargin: 0.5,
  /** A pair's step texts must differ by at least this edit distance (characters). */
  minEditDistance: 20,
} as const;

/** A finished search tree of one problem, as the search reports and stores it (ground-truth scored). */
export interface CurationTree {
  problemId: string;
  question: string;
  round: number;
  nodes: readonly NodeReport[];
}

export const PPM_PAIR_SCHEMA = 'rstar.ppm-pair.v1';

const PairStepSchema = z.object({ text: z.string().min(1), output: z.string().nullable(), q: z.number(), visits: z.number().int() });

/** One preference pair for the PPM: two continuations of the same prefix, the chosen one better. */
export const PpmPairSchema = z.object({
  schema: z.literal(PPM_PAIR_SCHEMA),
  id: z.string().min(1),
  problemId: z.string().min(1),
  round: z.number().int().min(0),
  /** `step`: two sibling steps under one node; `answer`: a correct and a wrong whole trajectory (METHOD.md §4). */
  kind: z.enum(['step', 'answer']),
  question: z.string().min(1),
  /** The steps both continuations share (rendered as in the prompts); empty for answer pairs. */
  prefix: z.array(z.string()),
  chosen: z.array(PairStepSchema).min(1),
  rejected: z.array(PairStepSchema).min(1),
  /** Chosen and rejected candidates taken at this node: the loss weighs each of its pairs 1 / (positives × negatives). */
  positives: z.number().int().min(1),
  negatives: z.number().int().min(1),
});
export type PpmPair = z.infer<typeof PpmPairSchema>;
type PairStep = z.infer<typeof PairStepSchema>;

/** What curation made of one tree, and what it left out (for the round summary). */
export interface TreeCuration {
  traces: SftRecord[];
  pairs: PpmPair[];
  counts: {
    correctTraces: number;
    tracesWithCodeErrors: number;
    pairCandidates: number;
    pairsBelowMargin: number;
    pairsTooSimilar: number;
  };
}

/** Curates one tree: its SFT traces (top 2 correct, error-free) and its PPM pairs (METHOD.md §4). */
export function curateTree(tree: CurationTree): TreeCuration {
  const index = new TreeIndex(tree.nodes);
  const counts = { correctTraces: 0, tracesWithCodeErrors: 0, pairCandidates: 0, pairsBelowMargin: 0, pairsTooSimilar: 0 };
  const traces = selectTraces(tree, index, counts);
  const pairs = [...stepPairs(tree, index, counts), ...answerPairs(tree, index, counts)];
  return { traces, pairs, counts };
}

class TreeIndex {
  readonly byId = new Map<number, NodeReport>();
  readonly children = new Map<number, NodeReport[]>();
  /** Per node: whether its subtree holds a correct answer, and whether it holds a scored failure. */
  private readonly outcome = new Map<number, { correct: boolean; wrong: boolean }>();

  constructor(nodes: readonly NodeReport[]) {
    for (const node of nodes) {
      this.byId.set(node.id, node);
      if (node.parentId !== null) this.children.set(node.parentId, [...(this.children.get(node.parentId) ?? []), node]);
    }
  }

  path(node: NodeReport): NodeReport[] {
    const path: NodeReport[] = [];
    for (let at: NodeReport | undefined = node; at && at.parentId !== null; at = this.byId.get(at.parentId)) path.unshift(at);
    return path;
  }

  /** Leads to a correct answer; else leads to a wrong one (a wrong answer or a trajectory that failed). */
  leadsTo(node: NodeReport): { correct: boolean; wrong: boolean } {
    const known = this.outcome.get(node.id);
    if (known) return known;
    const own = { correct: node.correct === true, wrong: node.correct === false || (node.terminal && node.reward === -1 && node.kind !== 'answer') };
    const result = (this.children.get(node.id) ?? []).reduce((acc, child) => {
      const c = this.leadsTo(child);
      return { correct: acc.correct || c.correct, wrong: acc.wrong || c.wrong };
    }, own);
    this.outcome.set(node.id, result);
    return result;
  }
}

/** The rendered step as it enters the prompts (a final code step carries its output). */
function pairStep(node: NodeReport): PairStep {
  return { text: node.text, output: node.kind === 'final_code' ? node.output : null, q: node.q, visits: node.visits };
}

const mean = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;

function selectTraces(tree: CurationTree, index: TreeIndex, counts: TreeCuration['counts']): SftRecord[] {
  const candidates: { leaf: NodeReport; path: NodeReport[]; meanQ: number; minQ: number }[] = [];
  for (const leaf of tree.nodes) {
    if (leaf.kind !== 'answer' || leaf.correct !== true || leaf.answer === null) continue;
    counts.correctTraces++;
    const path = index.path(leaf);
    if (path.some((n) => n.errorKind !== null)) {
      counts.tracesWithCodeErrors++;
      continue;
    }
    const qs = path.map((n) => n.q);
    candidates.push({ leaf, path, meanQ: mean(qs), minQ: Math.min(...qs) });
  }
  candidates.sort((a, b) => b.meanQ - a.meanQ || b.minQ - a.minQ || a.leaf.id - b.leaf.id);
  return candidates.slice(0, CURATION_RULES.tracesPerProblem).map(({ leaf, path }) => {
    const steps: SftStep[] = path.map((n) => ({ text: n.text, output: n.kind === 'final_code' ? n.output : null, q: n.q, visits: n.visits }));
    return {
      schema: SFT_SCHEMA,
      id: `${tree.problemId}-r${tree.round}-n${leaf.id}`,
      problemId: tree.problemId,
      round: tree.round,
      source: 'mcts',
      prompt: sftPrompt(tree.question),
      completion: renderCompletion(steps),
      steps,
      answer: leaf.answer as string,
    };
  });
}

/**
 * 2 × 2 (chosen best first, rejected worst first), or 1 × up to 4 when one side has a single candidate; then the
 * filters: Q margin (`q`) above 0.5 and an edit distance (of `text`) of at least 20.
 */
function pairUp<T>(
  chosen: readonly T[],
  rejected: readonly T[],
  q: (t: T) => number,
  text: (t: T) => string,
  counts: TreeCuration['counts'],
): { pairs: [T, T][]; positives: number; negatives: number } {
  const { pairsPerSide, fallbackPerSide, minQMargin, minEditDistance } = CURATION_RULES;
  const best = [...chosen].sort((a, b) => q(b) - q(a));
  const worst = [...rejected].sort((a, b) => q(a) - q(b));
  const takeChosen = worst.length === 1 ? fallbackPerSide : pairsPerSide;
  const takeRejected = best.length === 1 ? fallbackPerSide : pairsPerSide;
  const pos = best.slice(0, takeChosen);
  const neg = worst.slice(0, takeRejected);
  const pairs: [T, T][] = [];
  for (const c of pos) {
    for (const r of neg) {
      counts.pairCandidates++;
      if (!(q(c) - q(r) > minQMargin)) counts.pairsBelowMargin++;
      else if (distance(text(c), text(r)) < minEditDistance) counts.pairsTooSimilar++;
      else pairs.push([c, r]);
    }
  }
  return { pairs, positives: pos.length, negatives: neg.length };
}

/** Pairs of sibling steps under each node: one leading to a correct answer, one to a wrong end. */
function stepPairs(tree: CurationTree, index: TreeIndex, counts: TreeCuration['counts']): PpmPair[] {
  const pairs: PpmPair[] = [];
  for (const parent of tree.nodes) {
    const children = index.children.get(parent.id) ?? [];
    const chosen = children.filter((c) => index.leadsTo(c).correct);
    const rejected = children.filter((c) => !index.leadsTo(c).correct && index.leadsTo(c).wrong);
    if (chosen.length === 0 || rejected.length === 0) continue;
    const prefix = index.path(parent).map(renderedStep);
    const taken = pairUp(chosen, rejected, (n) => n.q, (n) => n.text, counts);
    for (const [c, r] of taken.pairs) {
      pairs.push({
        schema: PPM_PAIR_SCHEMA,
        id: `${tree.problemId}-r${tree.round}-n${c.id}-n${r.id}`,
        problemId: tree.problemId,
        round: tree.round,
        kind: 'step',
        question: tree.question,
        prefix,
        chosen: [pairStep(c)],
        rejected: [pairStep(r)],
        positives: taken.positives,
        negatives: taken.negatives,
      });
    }
  }
  return pairs;
}

/**
 * The final-answer step: correct and wrong answers rarely share a parent (an expansion keeps one answer), so they
 * are compared as whole trajectories, ranked by their mean step Q.
 */
function answerPairs(tree: CurationTree, index: TreeIndex, counts: TreeCuration['counts']): PpmPair[] {
  const trajectories = tree.nodes
    .filter((n) => n.kind === 'answer' && n.correct !== null)
    .map((leaf) => {
      const path = index.path(leaf);
      return { leaf, path, meanQ: mean(path.map((n) => n.q)), text: path.map(renderedStep).join('') };
    });
  const taken = pairUp(
    trajectories.filter((t) => t.leaf.correct === true),
    trajectories.filter((t) => t.leaf.correct === false),
    (t) => t.meanQ,
    (t) => t.text,
    counts,
  );
  return taken.pairs.map(([c, r]) => ({
    schema: PPM_PAIR_SCHEMA,
    id: `${tree.problemId}-r${tree.round}-a${c.leaf.id}-a${r.leaf.id}`,
    problemId: tree.problemId,
    round: tree.round,
    kind: 'answer',
    question: tree.question,
    prefix: [],
    chosen: c.path.map(pairStep),
    rejected: r.path.map(pairStep),
    positives: taken.positives,
    negatives: taken.negatives,
  }));
}

/** A step as the next prompt sees it: a final code step followed by its output. */
function renderedStep(node: NodeReport): string {
  return renderCompletion([{ text: node.text, output: node.kind === 'final_code' ? node.output : null }]);
}
