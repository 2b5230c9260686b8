import type { LlamaContext } from 'node-llama-cpp';

/** The two native methods of node-llama-cpp's (internal) addon context that the barrier wraps. */
interface AddonContextMethods {
  decodeBatch(): Promise<void>;
  sampleToken(...args: unknown[]): Promise<unknown>;
}

function isAddonContext(value: unknown): value is AddonContextMethods {
  if (typeof value !== 'object' || value === null) return false;
  return typeof Reflect.get(value, 'decodeBatch') === 'function' && typeof Reflect.get(value, 'sampleToken') === 'function';
}

/**
 * Makes parallel sequences sample from their own logits.
 *
 * Why: with several sequences, llama.cpp (non-unified KV cache) splits a batch per sequence and stores the output rows
 * out of order; it puts them back in order lazily, inside the first `llama_get_logits_ith` call after a decode, by
 * swapping rows in place (`llama_context::output_reorder`). node-llama-cpp 3.21.1 runs the samplings of one batch
 * concurrently on libuv worker threads, so several of them race on that swap and some sequences read another
 * sequence's row: measured here, 2 of 4 parallel greedy sequences diverged from the same sequence decoded alone.
 * The fix lets the first sampling after each decode run alone (it performs the reorder), then lets the rest run
 * concurrently. With it (and flash attention on), every sequence's output is bitwise the same as decoding it alone.
 *
 * It wraps internal members of node-llama-cpp (pinned at 3.21.1), so it fails loudly if their shape changes.
 */
export function installSamplingBarrier(context: LlamaContext): void {
  const addon: unknown = Reflect.get(context, '_ctx');
  if (!isAddonContext(addon)) {
    throw new Error('node-llama-cpp internals changed (LlamaContext._ctx): the parallel sampling fix cannot be installed');
  }
  const decodeBatch = addon.decodeBatch.bind(addon);
  const sampleToken = addon.sampleToken.bind(addon);
  let firstSampleAfterDecode = false;
  let reorderDone: Promise<unknown> | null = null;

  // Native methods are read-only on the prototype; an own property on the instance shadows them.
  Object.defineProperty(addon, 'decodeBatch', {
    configurable: true,
    value: async (): Promise<void> => {
      await decodeBatch();
      firstSampleAfterDecode = true;
      reorderDone = null;
    },
  });
  Object.defineProperty(addon, 'sampleToken', {
    configurable: true,
    value: (...args: unknown[]): Promise<unknown> => {
      if (firstSampleAfterDecode) {
        firstSampleAfterDecode = false;
        const first = sampleToken(...args);
        reorderDone = first;
        return first;
      }
      if (reorderDone) {
        const after = (): Promise<unknown> => sampleToken(...args);
        return reorderDone.then(after, after);
      }
      return sampleToken(...args);
    },
  });
}
