import type { UnvisitedPolicy } from './search-config.js';
import { qValue, type SearchNode } from './search-node.js';

/** UCT score of a child: Q + c * sqrt(ln N(parent) / N(child)); unvisited children per `unvisited`. */
export function uctScore(child: SearchNode, parentVisits: number, c: number, unvisited: UnvisitedPolicy): number {
  const q = qValue(child);
  if (child.visits === 0) return unvisited === 'explore-first' ? Number.POSITIVE_INFINITY : q;
  if (parentVisits <= 1) return q; // ln 1 = 0: no exploration term yet
  return q + c * Math.sqrt(Math.log(parentVisits) / child.visits);
}

/** The non-terminal child with the highest UCT score (the first on ties), or null when all are terminal. */
export function selectChild(children: readonly SearchNode[], parentVisits: number, c: number, unvisited: UnvisitedPolicy): SearchNode | null {
  let best: SearchNode | null = null;
  let bestScore = Number.NEGATIVE_INFINITY;
  for (const child of children) {
    if (child.terminal) continue;
    const score = uctScore(child, parentVisits, c, unvisited);
    if (best === null || score > bestScore) {
      best = child;
      bestScore = score;
    }
  }
  return best;
}
