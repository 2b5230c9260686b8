import type { MigrationInterface } from 'typeorm';
import { AddSynthesisRuns1796688362115 } from './1796688362115-add-synthesis-runs.js';
import { AddCuratedTrees1796687226297 } from './1796687226297-add-curated-trees.js';
import { AddOutboxMessages1796686483758 } from './1796686483758-add-outbox-messages.js';
import { AddTrainingSets1796654514701 } from './1796654514701-add-training-sets.js';
import { Initial1795652302944 } from './1795652302944-initial.js';

/** The postgres migrations in order. `scripts/generate-migration.ts` appends to this list. */
export const MIGRATIONS: (new () => MigrationInterface)[] = [Initial1795652302944, AddTrainingSets1796654514701, AddOutboxMessages1796686483758, AddCuratedTrees1796687226297, AddSynthesisRuns1796688362115];
