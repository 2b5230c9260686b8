import type { searchV1 } from '@rstar/contracts';
import type { NodeReport, SearchReport } from '@rstar/mcts';
import type { SolveJobRecord } from '@rstar/persistence';

function optional<T>(value: T | null): T | undefined {
  return value === null ? undefined : value;
}

export function toTreeNode(node: NodeReport): searchV1.TreeNode {
  return {
    id: node.id,
    parentId: optional(node.parentId),
    depth: node.depth,
    kind: node.kind,
    text: node.text,
    reasoning: node.reasoning,
    code: node.code,
    output: optional(node.output),
    errorKind: optional(node.errorKind),
    executed: node.executed,
    answer: optional(node.answer),
    terminal: node.terminal,
    terminalReason: optional(node.terminalReason),
    q: node.q,
    visits: node.visits,
    valueSum: node.valueSum,
    ppmScore: optional(node.ppmScore),
    reward: optional(node.reward),
    correct: optional(node.correct),
  };
}

/** The Kafka record of a finished job: the job's identity, what the search found, and the whole tree. */
export function toTrajectoryCompleted(job: SolveJobRecord, report: SearchReport, policyModel: string, completedAt: Date = new Date()): searchV1.TrajectoryCompleted {
  return {
    jobId: job.id,
    problemId: optional(job.problemId),
    question: job.question,
    referenceAnswer: optional(job.referenceAnswer),
    method: report.method,
    evaluator: report.evaluator,
    answer: optional(report.answer),
    answerQ: optional(report.answerQ),
    bestTrajectory: report.bestTrajectory,
    nodes: report.nodes.map(toTreeNode),
    searchConfigJson: JSON.stringify(report.config),
    policyModel,
    rollouts: report.rollouts,
    elapsedMs: report.elapsedMs,
    completedAt: completedAt.toISOString(),
  };
}
