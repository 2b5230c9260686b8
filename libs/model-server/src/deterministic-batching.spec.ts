import type { BatchItem } from 'node-llama-cpp';
import { describe, expect, it } from 'vitest';
import { chunkAmount, createDeterministicBatching } from './deterministic-batching.js';

const item = (tokens: number, evaluationPriority: BatchItem['evaluationPriority'] = 5): BatchItem => ({
  tokens: Array.from({ length: tokens }, (_, i) => i) as unknown as BatchItem['tokens'],
  logits: [],
  evaluationPriority,
});

describe('deterministic batching', () => {
  it('never leaves a one-token remainder of a prompt chunk', () => {
    expect(chunkAmount(100, 512)).toBe(100);
    expect(chunkAmount(513, 512)).toBe(511);
    expect(chunkAmount(1000, 512)).toBe(512);
  });

  it('runs a prompt chunk alone and single tokens together, alternating when both wait', () => {
    const strategy = createDeterministicBatching();
    const chunk = item(40);
    const decodes = [item(1), item(1), item(1)];
    const first = strategy({ items: [...decodes, chunk], size: 512 });
    expect(first).toEqual([{ item: chunk, processAmount: 40 }]);
    const second = strategy({ items: [...decodes, chunk], size: 512 });
    expect(second.map((p) => p.item)).toEqual(decodes);
    expect(second.every((p) => p.processAmount === 1)).toBe(true);
    expect(strategy({ items: [...decodes, chunk], size: 512 })).toEqual([{ item: chunk, processAmount: 40 }]);
  });

  it('keeps evaluating chunks when nothing else waits, the highest priority first', () => {
    const strategy = createDeterministicBatching();
    const low = item(30, 1);
    const high = item(20, 5);
    expect(strategy({ items: [low, high], size: 512 })).toEqual([{ item: high, processAmount: 20 }]);
    expect(strategy({ items: [low], size: 512 })).toEqual([{ item: low, processAmount: 30 }]);
  });
});
