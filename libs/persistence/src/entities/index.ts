import { ApiKeyEntity } from './api-key.entity.js';
import { CuratedRecordEntity, CuratedTreeEntity } from './curated-tree.entity.js';
import { DatasetEntity } from './dataset.entity.js';
import { ModelEntity } from './model.entity.js';
import { OutboxMessageEntity } from './outbox-message.entity.js';
import { ProblemEntity } from './problem.entity.js';
import { SearchTreeEntity } from './search-tree.entity.js';
import { SolveJobEntity } from './solve-job.entity.js';
import { SynthesisRunEntity, SynthesisRunJobEntity } from './synthesis-run.entity.js';
import { TrainingSetEntity } from './training-set.entity.js';
import { TreeNodeEntity } from './tree-node.entity.js';

export { bigintNumber, EpochMsColumn } from './columns.js';
export { ApiKeyEntity, CuratedRecordEntity, CuratedTreeEntity, DatasetEntity, ModelEntity, OutboxMessageEntity, ProblemEntity, SearchTreeEntity, SolveJobEntity, SynthesisRunEntity, SynthesisRunJobEntity, TrainingSetEntity, TreeNodeEntity };

/** Every entity, for `DataSource` options (and `TypeOrmModule.forRoot({ entities })`). */
export const ENTITIES = [DatasetEntity, ProblemEntity, ApiKeyEntity, ModelEntity, SolveJobEntity, SearchTreeEntity, TreeNodeEntity, TrainingSetEntity, OutboxMessageEntity, CuratedTreeEntity, CuratedRecordEntity, SynthesisRunEntity, SynthesisRunJobEntity];
