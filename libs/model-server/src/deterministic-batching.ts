import type { BatchItem, CustomBatchingPrioritizationStrategy, PrioritizedBatchItem } from 'node-llama-cpp';

/**
 * Why the engine controls how tokens are batched: llama.cpp's CPU kernels give slightly different numbers for a
 * sequence's token depending on whether it is evaluated alone (one query row: matrix-vector kernels) or with at least
 * one more token of the same sequence (matrix-matrix kernels); measured here, next-token probabilities moved by up to
 * 0.007. With several sequences, llama.cpp also cuts a batch into pieces holding the same number of tokens of each
 * sequence, so a prompt that shares a batch with other sequences' decode steps gets a one-token piece. Either way the
 * same prompt and seed could give different candidates depending on what else was running or cached.
 *
 * The rule this strategy keeps, with the engine's prompt handling (see LlamaCompletionEngine): a prompt chunk (2+
 * tokens of one sequence) is evaluated in a batch of its own and never leaves a one-token remainder; single tokens
 * (the last prompt token, decode steps) are batched together. When both kinds wait, they alternate, so a long prompt
 * does not stall the decoding of other candidates for more than one batch.
 */
export function createDeterministicBatching(): CustomBatchingPrioritizationStrategy {
  let promptTurn = true;
  return ({ items, size }) => {
    const singles: BatchItem[] = [];
    let chunk: BatchItem | undefined;
    for (const item of items) {
      if (item.tokens.length <= 1) singles.push(item);
      else if (!chunk || item.evaluationPriority > chunk.evaluationPriority) chunk = item;
    }
    const runChunk = chunk !== undefined && (singles.length === 0 || promptTurn);
    promptTurn = !runChunk;
    if (chunk !== undefined && runChunk) return [{ item: chunk, processAmount: chunkAmount(chunk.tokens.length, size) }];
    return singles.slice(0, size).map((item): PrioritizedBatchItem => ({ item, processAmount: item.tokens.length }));
  };
}

/** How much of a chunk of `length` tokens to evaluate in a batch of `size`, never leaving exactly one token behind. */
export function chunkAmount(length: number, size: number): number {
  if (length <= size) return length;
  return length - size === 1 ? size - 1 : size;
}
