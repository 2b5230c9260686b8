import { In } from 'typeorm';
import type { Db } from '../db.js';
import { SearchTreeEntity } from '../entities/search-tree.entity.js';
import { SolveJobEntity } from '../entities/solve-job.entity.js';
import { TreeNodeEntity } from '../entities/tree-node.entity.js';
import { checkPageSize } from '../cursor.js';
import { toTreeRecord } from '../mappers.js';
import type { SearchTreeRecord } from '../records.js';
import type { SearchTreeStore } from '../stores.js';

export class TypeOrmSearchTreeStore implements SearchTreeStore {
  constructor(private readonly db: Db) {}

  get(jobId: string): Promise<SearchTreeRecord | null> {
    return this.db.run(async (m) => {
      const tree = await m.findOneBy(SearchTreeEntity, { jobId });
      if (!tree) return null;
      const nodes = await m.find(TreeNodeEntity, { where: { jobId }, order: { nodeId: 'ASC' } });
      return toTreeRecord(tree, nodes);
    });
  }

  async listByProblem(problemId: string, first: number): Promise<SearchTreeRecord[]> {
    checkPageSize(first);
    return this.db.run(async (m) => {
      const trees = await m
        .createQueryBuilder(SearchTreeEntity, 't')
        .innerJoin(SolveJobEntity, 'j', 'j.id = t.jobId')
        .where('j.problemId = :problemId', { problemId })
        .orderBy('t.createdAt', 'DESC')
        .addOrderBy('t.jobId', 'DESC')
        .limit(first)
        .getMany();
      if (trees.length === 0) return [];
      const nodes = await m.find(TreeNodeEntity, { where: { jobId: In(trees.map((t) => t.jobId)) }, order: { jobId: 'ASC', nodeId: 'ASC' } });
      const byJob = new Map<string, TreeNodeEntity[]>();
      for (const node of nodes) {
        const list = byJob.get(node.jobId);
        if (list) list.push(node);
        else byJob.set(node.jobId, [node]);
      }
      return trees.map((t) => toTreeRecord(t, byJob.get(t.jobId) ?? []));
    });
  }
}
