import type {
  ApiKeyCheck,
  ApiKeyRecord,
  ApiKeyRole,
  CuratedKind,
  CuratedRecord,
  CuratedTree,
  CurationSummary,
  DatasetRecord,
  ImportResult,
  JobOutcome,
  JobProgress,
  ModelKind,
  ModelRecord,
  NewModel,
  NewOutboxMessage,
  OutboxMessageRecord,
  NewProblem,
  NewSolveJob,
  NewSynthesisRun,
  NewTrainingSet,
  Page,
  ProblemRecord,
  SearchTreeRecord,
  SolveJobRecord,
  SynthesisRunProgress,
  SynthesisRunRecord,
  TrainingSetKind,
  TrainingSetRecord,
} from './records.js';

/**
 * Solve jobs. Every state change is one conditional UPDATE, so two workers that both hold a job (one of them
 * presumed dead) can never both finish it.
 */
export interface SolveJobStore {
  create(job: NewSolveJob): Promise<SolveJobRecord>;
  get(id: string): Promise<SolveJobRecord | null>;
  /**
   * Gives the job to `workerId`: queued or running (by any worker) → running by `workerId`, attempts + 1.
   * Null when the job is unknown or already finished (succeeded / failed): the caller drops the message.
   */
  claim(id: string, workerId: string): Promise<SolveJobRecord | null>;
  /** Records progress while the job is running by `workerId`; false when another worker took it over. */
  recordProgress(id: string, workerId: string, progress: JobProgress): Promise<boolean>;
  /**
   * running by `workerId` → succeeded, with the answer and the whole tree written in the same transaction.
   * False (and nothing written) when the job is not running by `workerId` any more.
   */
  complete(id: string, workerId: string, outcome: JobOutcome): Promise<boolean>;
  /** running by `workerId` → failed with `error`; false when the job is not running by `workerId`. */
  fail(id: string, workerId: string, error: string): Promise<boolean>;
  /** Back to queued (a worker shutting down returns its job); false when not running by `workerId`. */
  release(id: string, workerId: string): Promise<boolean>;
  /**
   * Fails a job that no worker will finish: with `heldBy` null a queued job (it never reached the queue), else
   * a job running by `heldBy` (a worker known to be dead). False when the job is in no such state.
   */
  abandon(id: string, reason: string, heldBy: string | null): Promise<boolean>;
  list(options: { first: number; after?: string | null; status?: SolveJobRecord['status'] | null; apiKeyId?: string | null }): Promise<Page<SolveJobRecord>>;
}

/** Messages written with a finished job, waiting for a relay to publish them (the transactional outbox). */
export interface OutboxStore {
  /** Adds a message on its own (the job store adds a finished job's in its transaction). */
  add(message: NewOutboxMessage): Promise<OutboxMessageRecord>;
  /**
   * Up to `limit` unpublished messages that no other relay holds, oldest first, now held by `holder` for
   * `leaseMs` (a relay that dies lets its lease run out, and another sends them). A holder's own leased
   * messages count as free to it.
   */
  lease(limit: number, holder: string, leaseMs: number): Promise<OutboxMessageRecord[]>;
  /** Unpublished messages, oldest first, leased or not (for inspection). */
  pending(limit: number): Promise<OutboxMessageRecord[]>;
  /** Stamps a message published; false when it was already (another relay got there first). */
  markPublished(id: string): Promise<boolean>;
  /** Notes a failed publish (attempts + 1, the error) and ends the lease; the message stays pending. */
  markFailed(id: string, error: string): Promise<void>;
  /** Messages not yet published. */
  countPending(): Promise<number>;
}

/** Synthesis runs of the deployment: a run, its jobs (one per problem), and where it stands. */
export interface SynthesisRunStore {
  create(run: NewSynthesisRun): Promise<SynthesisRunRecord>;
  /** Links jobs to their run (each job to one run). */
  addJobs(runId: string, jobs: readonly { jobId: string; problemId: string }[]): Promise<void>;
  get(id: string): Promise<SynthesisRunRecord | null>;
  progress(id: string): Promise<SynthesisRunProgress>;
  /** The round of the run a job belongs to; null for a job of no run. */
  roundOfJob(jobId: string): Promise<number | null>;
}

/** The training records curation made of finished trees, kept once per tree (job). */
export interface CurationStore {
  /**
   * Stores a tree's records in one transaction. False, and nothing written, when the tree (its job) was
   * curated already: a tree delivered twice never adds a record twice.
   */
  saveTree(tree: CuratedTree): Promise<boolean>;
  /** Records of one kind and round, in the order they were curated. */
  records(kind: CuratedKind, round: number, options: { first: number; after?: string | null }): Promise<Page<CuratedRecord>>;
  summary(round: number): Promise<CurationSummary>;
}

export interface SearchTreeStore {
  /** The tree a finished job stored; null while the job has none. */
  get(jobId: string): Promise<SearchTreeRecord | null>;
  /** Finished trees of one problem, newest first (the trajectories of a problem across jobs). */
  listByProblem(problemId: string, first: number): Promise<SearchTreeRecord[]>;
}

export interface DatasetStore {
  /** Creates the dataset if needed and inserts the problems it does not have yet, in one transaction. */
  importProblems(name: string, source: string, problems: NewProblem[]): Promise<ImportResult>;
  get(id: string): Promise<DatasetRecord | null>;
  getByName(name: string): Promise<DatasetRecord | null>;
  list(options: { first: number; after?: string | null }): Promise<Page<DatasetRecord>>;
  /** A dataset's problems in import order. */
  problems(datasetId: string, options: { first: number; after?: string | null }): Promise<Page<ProblemRecord>>;
  problem(id: string): Promise<ProblemRecord | null>;
}

export interface ApiKeyStore {
  /** Makes a new key; the secret is returned once and only its hash is stored. */
  issue(options: { name: string; role: ApiKeyRole; rateLimitPerMinute: number }): Promise<{ key: ApiKeyRecord; secret: string }>;
  /** Looks a presented secret up (constant-time hash comparison); updates lastUsedAt of a valid key. */
  check(secret: string): Promise<ApiKeyCheck>;
  /** Revokes by id or by prefix; null when no such key exists. Revoking twice is not an error (the first time stays). */
  revoke(idOrPrefix: string): Promise<ApiKeyRecord | null>;
  list(): Promise<ApiKeyRecord[]>;
}

export interface ModelStore {
  /** Registers a model or updates the one of the same name. */
  register(model: NewModel): Promise<ModelRecord>;
  get(name: string): Promise<ModelRecord | null>;
  list(kind?: ModelKind | null): Promise<ModelRecord[]>;
}

export interface TrainingSetStore {
  /** Registers a training set or updates the one of the same name (a rerun that rewrote the file). */
  register(set: NewTrainingSet): Promise<TrainingSetRecord>;
  get(name: string): Promise<TrainingSetRecord | null>;
  /** By round, then name. */
  list(kind?: TrainingSetKind | null): Promise<TrainingSetRecord[]>;
}
