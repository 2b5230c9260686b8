import { searchV1 } from '@rstar/contracts';
import type { NodeReport } from '@rstar/mcts';
import type { JobStatus, SearchTreeRecord, SolveJobRecord } from '@rstar/persistence';
import {
  JobStatusValue,
  SearchMethodValue,
  type SearchTree,
  type SolveJob,
  type SolveProgress,
  type SolveStep,
  type TreeEdge,
  type TreeNode,
} from './solve-job.types.js';

// Records of the stores → GraphQL DTOs. Resolvers never hand a record (or an entity) to GraphQL.

const STATUS: Record<JobStatus, JobStatusValue> = {
  queued: JobStatusValue.QUEUED,
  running: JobStatusValue.RUNNING,
  succeeded: JobStatusValue.SUCCEEDED,
  failed: JobStatusValue.FAILED,
};

const METHOD: Record<SolveJobRecord['config']['method'], SearchMethodValue> = {
  mcts: SearchMethodValue.MCTS,
  greedy: SearchMethodValue.GREEDY,
  'best-of-n': SearchMethodValue.BEST_OF_N,
  beam: SearchMethodValue.BEAM,
};

export function toJobStatusValue(status: JobStatus): JobStatusValue {
  return STATUS[status];
}

export function toSolveJobDto(job: SolveJobRecord): SolveJob {
  return {
    id: job.id,
    status: STATUS[job.status],
    question: job.question,
    problemId: job.problemId,
    referenceAnswer: job.referenceAnswer,
    method: METHOD[job.config.method],
    budget: { rollouts: job.config.rollouts, width: job.config.width },
    seed: job.config.seed,
    answer: job.answer,
    answerQ: job.answerQ,
    bestAnswer: job.bestAnswer,
    bestQ: job.bestQ,
    rolloutsDone: job.rolloutsDone,
    rolloutsTotal: job.rolloutsTotal,
    error: job.error,
    attempts: job.attempts,
    policyModel: job.policyModel,
    elapsedMs: job.elapsedMs,
    correlationId: job.correlationId,
    createdAt: job.createdAt,
    startedAt: job.startedAt,
    finishedAt: job.finishedAt,
  };
}

function toStep(node: NodeReport): SolveStep {
  return {
    nodeId: node.id,
    depth: node.depth,
    kind: node.kind,
    reasoning: node.reasoning,
    code: node.code,
    output: node.output,
    errorKind: node.errorKind,
    answer: node.answer,
    q: node.q,
    visits: node.visits,
    ppmScore: node.ppmScore,
  };
}

/** The steps of the best trajectory, root excluded (the root is the question); empty when none was found. */
export function toSolveSteps(tree: SearchTreeRecord): SolveStep[] {
  const byId = new Map(tree.nodes.map((n) => [n.id, n]));
  return tree.bestTrajectory
    .map((id) => byId.get(id))
    .filter((n): n is NodeReport => n !== undefined && n.kind !== 'root')
    .map(toStep);
}

function toTreeNode(node: NodeReport): TreeNode {
  return {
    id: node.id,
    parentId: node.parentId,
    depth: node.depth,
    kind: node.kind,
    reasoning: node.reasoning,
    code: node.code,
    output: node.output,
    errorKind: node.errorKind,
    executed: node.executed,
    answer: node.answer,
    terminal: node.terminal,
    terminalReason: node.terminalReason,
    q: node.q,
    visits: node.visits,
    valueSum: node.valueSum,
    ppmScore: node.ppmScore,
    reward: node.reward,
    correct: node.correct,
  };
}

export function toSearchTreeDto(tree: SearchTreeRecord): SearchTree {
  const edges: TreeEdge[] = tree.nodes.filter((n) => n.parentId !== null).map((n) => ({ from: n.parentId as number, to: n.id }));
  return {
    jobId: tree.jobId,
    evaluator: tree.evaluator,
    answerNodeId: tree.answerNodeId,
    bestTrajectory: tree.bestTrajectory,
    nodeCount: tree.nodes.length,
    nodes: tree.nodes.map(toTreeNode),
    edges,
  };
}

export function isFinished(status: JobStatus): boolean {
  return status === 'succeeded' || status === 'failed';
}

/** A job's stored state as a progress event (the first event of a subscription, and its last). */
export function progressFromRecord(job: SolveJobRecord): SolveProgress {
  return {
    jobId: job.id,
    status: STATUS[job.status],
    rolloutsDone: job.rolloutsDone,
    rolloutsTotal: job.rolloutsTotal,
    bestAnswer: job.bestAnswer,
    bestQ: job.bestQ,
    answer: job.answer,
    answerQ: job.answerQ,
    error: job.error,
  };
}

const EVENT_STATUS: Partial<Record<searchV1.JobStatus, JobStatusValue>> = {
  [searchV1.JobStatus.JOB_STATUS_QUEUED]: JobStatusValue.QUEUED,
  [searchV1.JobStatus.JOB_STATUS_RUNNING]: JobStatusValue.RUNNING,
  [searchV1.JobStatus.JOB_STATUS_SUCCEEDED]: JobStatusValue.SUCCEEDED,
  [searchV1.JobStatus.JOB_STATUS_FAILED]: JobStatusValue.FAILED,
};

/** A live progress event as a DTO; null for an event without a known status (it is skipped). */
export function progressFromEvent(event: searchV1.SolveProgressed): SolveProgress | null {
  const status = EVENT_STATUS[event.status];
  if (status === undefined) return null;
  return {
    jobId: event.jobId,
    status,
    rolloutsDone: event.rolloutsDone,
    rolloutsTotal: event.rolloutsTotal,
    bestAnswer: event.bestAnswer ?? null,
    bestQ: event.bestQ ?? null,
    answer: status === JobStatusValue.SUCCEEDED ? (event.bestAnswer ?? null) : null,
    answerQ: status === JobStatusValue.SUCCEEDED ? (event.bestQ ?? null) : null,
    error: event.error ?? null,
  };
}

export function isFinalProgress(progress: SolveProgress): boolean {
  return progress.status === JobStatusValue.SUCCEEDED || progress.status === JobStatusValue.FAILED;
}
