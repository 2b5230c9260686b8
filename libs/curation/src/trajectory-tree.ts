import type { searchV1 } from '@rstar/contracts';
import { GROUND_TRUTH_EVALUATOR, NODE_KINDS, STEP_ERROR_KINDS, TERMINAL_REASONS, type NodeReport } from '@rstar/mcts';
import type { CurationTree } from './tree-curation.js';

/** Why a finished tree is not training data. */
export type NotCuratable = 'not-ground-truth' | 'malformed';

/**
 * A finished tree from trajectories.v1 as curation reads it. Only trees scored against the ground truth are
 * training data (METHOD.md §3: rewards from PPM or self-consistency are not); a tree of a problem outside any
 * dataset takes its job id as problem id. Node fields that break the search's vocabulary make it malformed.
 */
export function curationTreeOf(event: searchV1.TrajectoryCompleted, round: number): { ok: true; tree: CurationTree } | { ok: false; reason: NotCuratable; detail: string } {
  if (event.evaluator !== GROUND_TRUTH_EVALUATOR || !event.referenceAnswer) {
    return { ok: false, reason: 'not-ground-truth', detail: `scored by ${event.evaluator || 'nothing'}${event.referenceAnswer ? '' : ', no reference answer'}` };
  }
  try {
    return { ok: true, tree: { problemId: event.problemId || event.jobId, question: event.question, round, nodes: event.nodes.map(nodeReportOf) } };
  } catch (error) {
    return { ok: false, reason: 'malformed', detail: error instanceof Error ? error.message : String(error) };
  }
}

function oneOf<T extends string>(allowed: readonly T[], value: string, field: string, nodeId: number): T {
  if (!(allowed as readonly string[]).includes(value)) throw new Error(`node ${nodeId}: unknown ${field} ${JSON.stringify(value)}`);
  return value as T;
}

/** The inverse of the search worker's toTreeNode: absent optional fields are null. */
export function nodeReportOf(node: searchV1.TreeNode): NodeReport {
  return {
    id: node.id,
    parentId: node.parentId ?? null,
    depth: node.depth,
    kind: oneOf(NODE_KINDS, node.kind, 'kind', node.id),
    text: node.text,
    reasoning: node.reasoning,
    code: node.code,
    output: node.output ?? null,
    errorKind: node.errorKind === undefined ? null : oneOf(STEP_ERROR_KINDS, node.errorKind, 'errorKind', node.id),
    executed: node.executed,
    answer: node.answer ?? null,
    terminal: node.terminal,
    terminalReason: node.terminalReason === undefined ? null : oneOf(TERMINAL_REASONS, node.terminalReason, 'terminalReason', node.id),
    q: node.q,
    visits: node.visits,
    valueSum: node.valueSum,
    ppmScore: node.ppmScore ?? null,
    reward: node.reward ?? null,
    correct: node.correct ?? null,
  };
}
