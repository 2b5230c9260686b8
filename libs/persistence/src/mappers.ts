import type { NodeReport } from '@rstar/mcts';
import type { ApiKeyEntity } from './entities/api-key.entity.js';
import type { DatasetEntity } from './entities/dataset.entity.js';
import type { ModelEntity } from './entities/model.entity.js';
import type { OutboxMessageEntity } from './entities/outbox-message.entity.js';
import type { ProblemEntity } from './entities/problem.entity.js';
import type { SearchTreeEntity } from './entities/search-tree.entity.js';
import type { SolveJobEntity } from './entities/solve-job.entity.js';
import type { TrainingSetEntity } from './entities/training-set.entity.js';
import type { TreeNodeEntity } from './entities/tree-node.entity.js';
import type { ApiKeyRecord, DatasetRecord, ModelRecord, OutboxMessageRecord, ProblemRecord, SearchTreeRecord, SolveJobRecord, TrainingSetRecord } from './records.js';

// Entities → plain records: callers never see an entity, and timestamps (epoch ms in the database) become Dates.

const date = (ms: number): Date => new Date(ms);
const dateOrNull = (ms: number | null): Date | null => (ms === null ? null : new Date(ms));

export function toJobRecord(e: SolveJobEntity): SolveJobRecord {
  return {
    id: e.id,
    question: e.question,
    referenceAnswer: e.referenceAnswer,
    problemId: e.problemId,
    config: e.config,
    status: e.status,
    attempts: e.attempts,
    workerId: e.workerId,
    answer: e.answer,
    answerQ: e.answerQ,
    rolloutsDone: e.rolloutsDone,
    rolloutsTotal: e.rolloutsTotal,
    bestAnswer: e.bestAnswer,
    bestQ: e.bestQ,
    error: e.error,
    apiKeyId: e.apiKeyId,
    correlationId: e.correlationId,
    policyModel: e.policyModel,
    elapsedMs: e.elapsedMs,
    createdAt: date(e.createdAt),
    startedAt: dateOrNull(e.startedAt),
    finishedAt: dateOrNull(e.finishedAt),
  };
}

export function toNodeEntity(jobId: string, n: NodeReport): TreeNodeEntity {
  return {
    jobId,
    nodeId: n.id,
    parentId: n.parentId,
    depth: n.depth,
    kind: n.kind,
    text: n.text,
    reasoning: n.reasoning,
    code: n.code,
    output: n.output,
    errorKind: n.errorKind,
    executed: n.executed,
    answer: n.answer,
    terminal: n.terminal,
    terminalReason: n.terminalReason,
    q: n.q,
    visits: n.visits,
    valueSum: n.valueSum,
    ppmScore: n.ppmScore,
    reward: n.reward,
    correct: n.correct,
  };
}

export function toNodeReport(e: TreeNodeEntity): NodeReport {
  return {
    id: e.nodeId,
    parentId: e.parentId,
    depth: e.depth,
    kind: e.kind,
    text: e.text,
    reasoning: e.reasoning,
    code: e.code,
    output: e.output,
    errorKind: e.errorKind,
    executed: e.executed,
    answer: e.answer,
    terminal: e.terminal,
    terminalReason: e.terminalReason,
    q: e.q,
    visits: e.visits,
    valueSum: e.valueSum,
    ppmScore: e.ppmScore,
    reward: e.reward,
    correct: e.correct,
  };
}

export function toTreeRecord(tree: SearchTreeEntity, nodes: TreeNodeEntity[]): SearchTreeRecord {
  return {
    jobId: tree.jobId,
    evaluator: tree.evaluator,
    answerNodeId: tree.answerNodeId,
    bestTrajectory: tree.bestTrajectory,
    nodes: nodes.map(toNodeReport),
  };
}

export function toDatasetRecord(e: DatasetEntity): DatasetRecord {
  return { id: e.id, name: e.name, source: e.source, problemCount: e.problemCount, createdAt: date(e.createdAt) };
}

export function toProblemRecord(e: ProblemEntity): ProblemRecord {
  return { id: e.id, datasetId: e.datasetId, externalId: e.externalId, question: e.question, answer: e.answer, createdAt: date(e.createdAt) };
}

export function toApiKeyRecord(e: ApiKeyEntity): ApiKeyRecord {
  return {
    id: e.id,
    name: e.name,
    prefix: e.prefix,
    role: e.role,
    rateLimitPerMinute: e.rateLimitPerMinute,
    createdAt: date(e.createdAt),
    revokedAt: dateOrNull(e.revokedAt),
    lastUsedAt: dateOrNull(e.lastUsedAt),
  };
}

export function toModelRecord(e: ModelEntity): ModelRecord {
  return { id: e.id, name: e.name, kind: e.kind, uri: e.uri, round: e.round, metadata: e.metadata, createdAt: date(e.createdAt) };
}

export function toTrainingSetRecord(e: TrainingSetEntity): TrainingSetRecord {
  return {
    id: e.id,
    name: e.name,
    kind: e.kind,
    uri: e.uri,
    round: e.round,
    recordCount: e.recordCount,
    metadata: e.metadata,
    createdAt: date(e.createdAt),
    updatedAt: date(e.updatedAt),
  };
}

export function toOutboxRecord(e: OutboxMessageEntity): OutboxMessageRecord {
  return {
    id: e.id,
    topic: e.topic,
    key: e.messageKey,
    payload: e.payload,
    headers: e.headers,
    attempts: e.attempts,
    lastError: e.lastError,
    createdAt: date(e.createdAt),
    publishedAt: dateOrNull(e.publishedAt),
  };
}
