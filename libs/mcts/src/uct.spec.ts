import { describe, expect, it } from 'vitest';
import type { SearchNode } from './search-node.js';
import { selectChild, uctScore } from './uct.js';

const node = (id: number, visits: number, valueSum: number, extra: Partial<SearchNode> = {}): SearchNode =>
  ({ id, visits, valueSum, ppmScore: null, terminal: false, ...extra }) as SearchNode;

describe('UCT', () => {
  it('computes Q + c * sqrt(ln N(parent) / N(child))', () => {
    expect(uctScore(node(1, 2, 1), 8, 2, 'no-bonus')).toBeCloseTo(0.5 + 2 * Math.sqrt(Math.log(8) / 2), 12);
  });

  it('gives an unvisited child its Q alone (reference) or infinity (explore-first)', () => {
    expect(uctScore(node(1, 0, 0, { ppmScore: 0.3 }), 5, 2, 'no-bonus')).toBeCloseTo(0.3, 12);
    expect(uctScore(node(1, 0, 0), 5, 2, 'explore-first')).toBe(Number.POSITIVE_INFINITY);
  });

  it('prefers a visited high-Q child over unvisited ones under no-bonus, and the reverse under explore-first', () => {
    const children = [node(1, 1, 1), node(2, 0, 0)];
    expect(selectChild(children, 1, 2, 'no-bonus')?.id).toBe(1);
    expect(selectChild(children, 1, 2, 'explore-first')?.id).toBe(2);
  });

  it('skips terminal children and breaks ties by order', () => {
    expect(selectChild([node(1, 0, 0, { terminal: true }), node(2, 0, 0), node(3, 0, 0)], 0, 2, 'no-bonus')?.id).toBe(2);
    expect(selectChild([node(1, 0, 0, { terminal: true })], 0, 2, 'no-bonus')).toBeNull();
  });

  it('explores a less visited child once the exploration term outweighs Q', () => {
    const children = [node(1, 10, 5), node(2, 1, 0)];
    // 0.5 + 2*sqrt(ln 11/10) = 1.48 vs 0 + 2*sqrt(ln 11/1) = 3.10
    expect(selectChild(children, 11, 2, 'no-bonus')?.id).toBe(2);
    expect(selectChild(children, 11, 0, 'no-bonus')?.id).toBe(1);
  });
});
