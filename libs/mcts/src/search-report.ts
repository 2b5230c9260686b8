import type { SearchConfig, SearchMethod } from './search-config.js';
import { nodeAnswer, qValue, type StepErrorKind, type TerminalReason } from './search-node.js';
import type { SearchResult } from './search.js';
import type { SearchStats } from './step-expander.js';

/** One node as reported to users (`--json`) and stored: plain data, no methods. */
export const NODE_KINDS = ['root', 'code', 'final_code', 'answer', 'truncated'] as const;
export type NodeKind = (typeof NODE_KINDS)[number];

export interface NodeReport {
  id: number;
  parentId: number | null;
  depth: number;
  kind: NodeKind;
  text: string;
  reasoning: string;
  code: string;
  output: string | null;
  errorKind: StepErrorKind | null;
  executed: boolean;
  answer: string | null;
  terminal: boolean;
  terminalReason: TerminalReason | null;
  q: number;
  visits: number;
  valueSum: number;
  ppmScore: number | null;
  reward: number | null;
  correct: boolean | null;
}

export interface SearchReport {
  question: string;
  method: SearchMethod;
  config: SearchConfig;
  evaluator: string;
  answer: string | null;
  answerNodeId: number | null;
  answerQ: number | null;
  /** Node ids from the root to the answer node (the best trajectory); empty when no answer was found. */
  bestTrajectory: number[];
  rollouts: number;
  elapsedMs: number;
  stats: SearchStats;
  nodes: NodeReport[];
}

export function toSearchReport(result: SearchResult): SearchReport {
  const { tree } = result;
  const best = result.answerNodeId === null ? null : tree.node(result.answerNodeId);
  return {
    question: tree.question,
    method: result.method,
    config: result.config,
    evaluator: result.evaluator,
    answer: result.answer,
    answerNodeId: result.answerNodeId,
    answerQ: result.answerQ,
    bestTrajectory: best ? tree.path(best).map((n) => n.id) : [],
    rollouts: result.rollouts,
    elapsedMs: Math.round(result.elapsedMs),
    stats: result.stats,
    nodes: tree.nodes.map((n) => ({
      id: n.id,
      parentId: n.parentId,
      depth: n.depth,
      kind: n.step?.kind ?? 'root',
      text: n.step?.text ?? tree.question,
      reasoning: n.step?.reasoning ?? '',
      code: n.step?.code ?? '',
      output: n.output,
      errorKind: n.errorKind,
      executed: n.executed,
      answer: nodeAnswer(n),
      terminal: n.terminal,
      terminalReason: n.terminalReason,
      q: qValue(n),
      visits: n.visits,
      valueSum: n.valueSum,
      ppmScore: n.ppmScore,
      reward: n.reward,
      correct: n.correct,
    })),
  };
}
