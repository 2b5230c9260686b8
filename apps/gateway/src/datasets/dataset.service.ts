import { Inject, Injectable } from '@nestjs/common';
import type { DatasetRecord, ImportResult, Page, ProblemRecord, SearchTreeRecord, Stores } from '@rstar/persistence';
import { GatewayError, GatewayErrorCode } from '../errors/gateway-error.js';
import type { GatewayConfig } from '../gateway.config.js';
import { GATEWAY_CONFIG, STORES } from '../gateway.ports.js';
import { parseProblemsJsonl, type JsonlLineError } from './problems-jsonl.js';

export const MAX_DATASET_NAME_CHARS = 200;
/** Refused lines listed in an import's answer; the count covers all of them. */
export const MAX_REPORTED_LINE_ERRORS = 100;

export interface DatasetImport extends ImportResult {
  rejected: JsonlLineError[];
  rejectedCount: number;
}

@Injectable()
export class DatasetService {
  constructor(
    @Inject(STORES) private readonly stores: Pick<Stores, 'datasets' | 'trees'>,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  /** Imports the valid lines of a JSONL file; BAD_USER_INPUT (with the line errors) when none is valid. */
  async importJsonl(name: string, jsonl: string, source: string | null): Promise<DatasetImport> {
    const trimmedName = name.trim();
    if (trimmedName === '' || trimmedName.length > MAX_DATASET_NAME_CHARS) {
      throw new GatewayError(GatewayErrorCode.BAD_USER_INPUT, `name must have 1 to ${MAX_DATASET_NAME_CHARS} characters`, { field: 'name' });
    }
    const bytes = Buffer.byteLength(jsonl, 'utf8');
    if (bytes > this.config.RSTAR_MAX_BODY_BYTES) {
      throw new GatewayError(GatewayErrorCode.INPUT_TOO_LARGE, `jsonl has ${bytes} bytes; the limit is ${this.config.RSTAR_MAX_BODY_BYTES}`, {
        field: 'jsonl',
        limit: this.config.RSTAR_MAX_BODY_BYTES,
      });
    }
    const { problems, errors } = parseProblemsJsonl(jsonl, { maxProblemChars: this.config.RSTAR_MAX_PROBLEM_CHARS });
    const rejected = errors.slice(0, MAX_REPORTED_LINE_ERRORS);
    if (problems.length === 0) {
      throw new GatewayError(
        GatewayErrorCode.BAD_USER_INPUT,
        errors.length === 0 ? 'jsonl holds no problems' : `no valid problem in jsonl (${errors.length} bad lines)`,
        { field: 'jsonl', lines: rejected },
      );
    }
    const result = await this.stores.datasets.importProblems(trimmedName, source?.trim() || 'graphql', problems);
    return { ...result, rejected, rejectedCount: errors.length };
  }

  list(page: { first: number; after: string | null }): Promise<Page<DatasetRecord>> {
    return this.stores.datasets.list(page);
  }

  async dataset(id: string): Promise<DatasetRecord> {
    const dataset = await this.stores.datasets.get(id);
    if (!dataset) throw new GatewayError(GatewayErrorCode.NOT_FOUND, `no dataset ${id}`, { field: 'id' });
    return dataset;
  }

  problems(datasetId: string, page: { first: number; after: string | null }): Promise<Page<ProblemRecord>> {
    return this.stores.datasets.problems(datasetId, page);
  }

  async problem(id: string): Promise<ProblemRecord> {
    const problem = await this.stores.datasets.problem(id);
    if (!problem) throw new GatewayError(GatewayErrorCode.NOT_FOUND, `no problem ${id}`, { field: 'id' });
    return problem;
  }

  trajectories(problemId: string, first: number): Promise<SearchTreeRecord[]> {
    return this.stores.trees.listByProblem(problemId, first);
  }
}
