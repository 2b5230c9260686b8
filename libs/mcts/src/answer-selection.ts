import type { AnswerGrouper } from './evaluators.js';
import { qValue, type SearchNode } from './search-node.js';
import type { SearchTree } from './search-tree.js';

/** The answer a tree gives: its valid answer node with the highest Q (more visits, then earlier, on ties). */
export function selectAnswerNode(tree: SearchTree): SearchNode | null {
  let best: SearchNode | null = null;
  for (const node of tree.answerNodes()) {
    if (best === null) {
      best = node;
      continue;
    }
    const dq = qValue(node) - qValue(best);
    if (dq > 0 || (dq === 0 && node.visits > best.visits)) best = node;
  }
  return best;
}

export interface TreeAnswer {
  answer: string;
  /** The score the answer is ranked by (its node's Q, or its PPM score). */
  score: number;
}

export const VOTE_RULES = ['majority', 'weighted'] as const;
export type VoteRule = (typeof VOTE_RULES)[number];

export interface VoteResult {
  answer: string;
  /** Votes (majority) or summed scores (weighted) of the winning group. */
  support: number;
  /** Index in the input of the winning group's highest-scored answer (the tree to show). */
  best: number;
  groups: { answer: string; support: number; members: number }[];
}

/**
 * Answers of several independent trees: rank by score, keep the top `topK`, group equivalent answers, and
 * pick the group with most votes (`majority`) or the highest summed score (`weighted`); ties go to the group
 * whose best member ranked first.
 */
export async function voteAcrossTrees(
  answers: readonly TreeAnswer[],
  grouper: AnswerGrouper,
  rule: VoteRule,
  topK: number = answers.length,
): Promise<VoteResult | null> {
  const ranked = answers
    .map((a, index) => ({ ...a, index }))
    .sort((a, b) => b.score - a.score)
    .slice(0, topK);
  const groups: { answer: string; support: number; members: number; best: number }[] = [];
  for (const { answer, score, index } of ranked) {
    let group: (typeof groups)[number] | undefined;
    for (const g of groups) {
      if (await grouper.same(g.answer, answer)) {
        group = g;
        break;
      }
    }
    if (!group) {
      // Ranked by score, so a group's first member is its best.
      group = { answer, support: 0, members: 0, best: index };
      groups.push(group);
    }
    group.members += 1;
    group.support += rule === 'majority' ? 1 : score;
  }
  let winner: (typeof groups)[number] | null = null;
  for (const g of groups) if (winner === null || g.support > winner.support) winner = g;
  return winner
    ? { answer: winner.answer, support: winner.support, best: winner.best, groups: groups.map(({ answer, support, members }) => ({ answer, support, members })) }
    : null;
}
