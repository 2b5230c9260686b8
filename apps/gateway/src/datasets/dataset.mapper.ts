import type { DatasetRecord, ProblemRecord } from '@rstar/persistence';
import type { Dataset, Problem } from './dataset.types.js';

export function toDatasetDto(dataset: DatasetRecord): Dataset {
  return { id: dataset.id, name: dataset.name, source: dataset.source, problemCount: dataset.problemCount, createdAt: dataset.createdAt };
}

export function toProblemDto(problem: ProblemRecord): Problem {
  return {
    id: problem.id,
    datasetId: problem.datasetId,
    externalId: problem.externalId,
    question: problem.question,
    answer: problem.answer,
    createdAt: problem.createdAt,
  };
}
