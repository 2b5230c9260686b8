import type { NodeReport, SearchConfig, SearchReport } from '@rstar/mcts';

// Plain records the stores return: callers (resolvers, workers) never see TypeORM entities.

export const JOB_STATUSES = ['queued', 'running', 'succeeded', 'failed'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export interface SolveJobRecord {
  id: string;
  question: string;
  referenceAnswer: string | null;
  problemId: string | null;
  config: SearchConfig;
  status: JobStatus;
  /** How many times a worker took the job (more than 1 after a worker died or its lease ran out). */
  attempts: number;
  workerId: string | null;
  answer: string | null;
  answerQ: number | null;
  rolloutsDone: number;
  rolloutsTotal: number;
  bestAnswer: string | null;
  bestQ: number | null;
  error: string | null;
  apiKeyId: string | null;
  correlationId: string;
  policyModel: string | null;
  elapsedMs: number | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

export interface NewSolveJob {
  question: string;
  referenceAnswer?: string | null;
  problemId?: string | null;
  config: SearchConfig;
  apiKeyId?: string | null;
  correlationId: string;
}

export interface JobProgress {
  rolloutsDone: number;
  rolloutsTotal: number;
  bestAnswer: string | null;
  bestQ: number | null;
}

export interface JobOutcome {
  report: SearchReport;
  policyModel: string;
  /** Published after the job is stored as succeeded (the finished tree for curation): written in the same transaction. */
  message?: NewOutboxMessage;
}

/** A record for a message broker, kept in the outbox until a relay has published it. */
export interface NewOutboxMessage {
  topic: string;
  key: string;
  /** The record's value, encoded (JSON text). */
  payload: string;
  headers: Record<string, string>;
}

export interface OutboxMessageRecord extends NewOutboxMessage {
  id: string;
  /** Publish attempts that failed so far. */
  attempts: number;
  lastError: string | null;
  createdAt: Date;
  publishedAt: Date | null;
}

/** The stored tree of a finished job. */
export interface SearchTreeRecord {
  jobId: string;
  evaluator: string;
  answerNodeId: number | null;
  bestTrajectory: number[];
  nodes: NodeReport[];
}

export interface DatasetRecord {
  id: string;
  name: string;
  source: string;
  problemCount: number;
  createdAt: Date;
}

export interface ProblemRecord {
  id: string;
  datasetId: string;
  /** The id the source file gave the problem (or its 1-based line number). */
  externalId: string;
  question: string;
  answer: string | null;
  createdAt: Date;
}

export interface NewProblem {
  externalId: string;
  question: string;
  answer: string | null;
}

export interface ImportResult {
  dataset: DatasetRecord;
  inserted: number;
  /** Problems whose externalId the dataset already had. */
  skipped: number;
}

export interface Page<T> {
  items: T[];
  total: number;
  /** Opaque cursor of the next page; null on the last page. */
  nextCursor: string | null;
}

export const API_KEY_ROLES = ['client', 'admin'] as const;
export type ApiKeyRole = (typeof API_KEY_ROLES)[number];

export interface ApiKeyRecord {
  id: string;
  name: string;
  /** The first characters of the secret, shown to people to tell keys apart; the secret itself is stored hashed. */
  prefix: string;
  role: ApiKeyRole;
  rateLimitPerMinute: number;
  createdAt: Date;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
}

export type ApiKeyCheck = { status: 'valid'; key: ApiKeyRecord } | { status: 'revoked'; key: ApiKeyRecord } | { status: 'unknown' };

export const MODEL_KINDS = ['policy', 'ppm'] as const;
export type ModelKind = (typeof MODEL_KINDS)[number];

export interface ModelRecord {
  id: string;
  name: string;
  kind: ModelKind;
  /** Where the weights live (a path, a model id) or where it is served (an OpenAI-compatible URL). */
  uri: string;
  /** Self-evolution round that produced it; 0 for a base model. */
  round: number;
  metadata: Record<string, unknown>;
  createdAt: Date;
}

export interface NewModel {
  name: string;
  kind: ModelKind;
  uri: string;
  round?: number;
  metadata?: Record<string, unknown>;
}

export const TRAINING_SET_KINDS = ['sft', 'ppm-pairs'] as const;
export type TrainingSetKind = (typeof TRAINING_SET_KINDS)[number];

/** A training set (policy SFT traces or PPM preference pairs) registered with its manifest. */
export interface TrainingSetRecord {
  id: string;
  name: string;
  kind: TrainingSetKind;
  /** Where the JSONL lives (a path or a URL). */
  uri: string;
  /** Self-evolution round whose data it holds; 0 for the bootstrap set. */
  round: number;
  recordCount: number;
  /** The manifest: counts by reason, the command that made it, source problems, special tokens… */
  metadata: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewTrainingSet {
  name: string;
  kind: TrainingSetKind;
  uri: string;
  round?: number;
  recordCount: number;
  metadata?: Record<string, unknown>;
}

export type CuratedKind = 'sft' | 'pair';

/** What curation made of one finished tree: its training records and the counts of what it left out. */
export interface CuratedTree {
  jobId: string;
  problemId: string;
  round: number;
  counts: Record<string, number>;
  /** SFT traces and PPM pairs, each with its id (unique within the tree) and its JSON record. */
  records: { kind: CuratedKind; id: string; record: Record<string, unknown> }[];
}

export interface CuratedRecord {
  jobId: string;
  kind: CuratedKind;
  id: string;
  round: number;
  problemId: string;
  record: Record<string, unknown>;
  createdAt: Date;
}

export interface CurationSummary {
  round: number;
  trees: number;
  /** Problems with at least one tree curated. */
  problems: number;
  /** Problems with at least one SFT trace (a correct, error-free trajectory). */
  covered: number;
  traces: number;
  pairs: number;
}

export interface NewSynthesisRun {
  name: string;
  round: number;
  datasetId: string;
  config: SearchConfig;
  problemCount: number;
  apiKeyId?: string | null;
  correlationId: string;
}

export interface SynthesisRunRecord extends Required<NewSynthesisRun> {
  id: string;
  createdAt: Date;
}

/** Where a synthesis run stands: its jobs by status, and what curation made of their trees. */
export interface SynthesisRunProgress {
  jobs: Record<JobStatus, number>;
  /** Trees curated (one per succeeded job, once the curation service has read it). */
  curatedTrees: number;
  /** Problems whose tree holds a correct, error-free trace. */
  covered: number;
  traces: number;
  pairs: number;
}
