// LlamaCompletionEngine with the real SmolLM2-135M model: parallel decoding, prompt sharing and prefix reuse must not
// change what a candidate is. Candidate i of a request with seed s must equal a lone request with seed s + i.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompletionRequest } from '@rstar/clients';
import { LlamaCompletionEngine } from '../src/index.js';

const PROMPT = [
  '<|user|>:\nA shop sells pens at $2 each. Tom buys 7 pens and pays with a $20 bill. How much change does he get?',
  "<|assistant|>: Let's think step by step and solve the problem with code.",
  '<code>\n# Step 1:',
].join('\n');

const request = (overrides: Partial<CompletionRequest> = {}): CompletionRequest => ({
  prompt: PROMPT,
  n: 4,
  temperature: 1,
  topP: 1,
  maxTokens: 20,
  stop: [],
  includeStopStrInOutput: false,
  seed: 100,
  ...overrides,
});

let sharing: LlamaCompletionEngine;
let plain: LlamaCompletionEngine;

beforeAll(async () => {
  sharing = await LlamaCompletionEngine.load({ model: 'smollm2-135m', parallel: 4, contextSize: 1024 });
  plain = await LlamaCompletionEngine.load({ model: 'smollm2-135m', parallel: 4, contextSize: 1024, sharePromptState: false });
}, 60_000);

afterAll(async () => {
  await sharing?.close();
  await plain?.close();
});

describe('LlamaCompletionEngine with smollm2-135m', { timeout: 60_000 }, () => {
  it('decodes parallel candidates exactly as it decodes them one at a time', async () => {
    const together = await sharing.complete(request());
    const alone: string[] = [];
    for (let i = 0; i < 4; i++) alone.push((await plain.complete(request({ n: 1, seed: 100 + i }))).choices[0]!.text);
    expect(together.choices.map((c) => c.text)).toEqual(alone);
    // Different seeds do give different candidates.
    expect(new Set(alone).size).toBeGreaterThan(1);
  });

  it('copies the prompt state to sibling candidates instead of evaluating it again', async () => {
    const before = sharing.stats();
    // A tail long enough (20+ tokens) that copying beats evaluating it in every sequence.
    const prompt = `${PROMPT} the cost of seven pens at two dollars each is fourteen dollars, so the change from twenty is six dollars.\n`;
    const shared = await sharing.complete(request({ prompt, seed: 7 }));
    const after = sharing.stats();
    expect(after.copiedPromptTokens).toBeGreaterThan(before.copiedPromptTokens);
    const evaluated = await plain.complete(request({ prompt, seed: 7 }));
    expect(shared.choices.map((c) => c.text)).toEqual(evaluated.choices.map((c) => c.text));
  });

  it('gives the same candidates whether requests run alone or while others decode', async () => {
    const a = request({ n: 2, seed: 21, maxTokens: 16 });
    const b = request({ prompt: `Another problem first: what is 9 - 4?\n${PROMPT}`, n: 2, seed: 5, maxTokens: 16 });
    const pendingA = sharing.complete(a);
    // B's prompt arrives while A decodes, so prompt evaluation and decode steps compete for batches.
    await new Promise((r) => setTimeout(r, 150));
    const [together, withB] = await Promise.all([pendingA, sharing.complete(b)]);
    const aloneA = await plain.complete(a);
    const aloneB = await plain.complete(b);
    expect(together.choices.map((c) => c.text)).toEqual(aloneA.choices.map((c) => c.text));
    expect(withB.choices.map((c) => c.text)).toEqual(aloneB.choices.map((c) => c.text));
  });

  it('routes a prompt to the sequence holding its prefix', async () => {
    const first = await sharing.complete(request({ n: 1, temperature: 0, maxTokens: 8 }));
    const continued = await sharing.complete(request({ prompt: PROMPT + first.choices[0]!.text, n: 1, temperature: 0, maxTokens: 4 }));
    // Everything up to the continuation was already in one sequence's KV cache.
    expect(continued.usage.cachedPromptTokens).toBeGreaterThanOrEqual(first.usage.promptTokens - 2);
  });

  it('waits for a sequence when more candidates than sequences are asked for', async () => {
    const many = await sharing.complete(request({ n: 6, maxTokens: 4, seed: 3 }));
    expect(many.choices).toHaveLength(6);
    const lone = await plain.complete(request({ n: 1, maxTokens: 4, seed: 3 + 5 }));
    expect(many.choices[5]!.text).toBe(lone.choices[0]!.text);
    expect(sharing.stats()).toMatchObject({ busySequences: 0, queuedGenerations: 0 });
  });

  it('aborts a request and stays usable', async () => {
    const controller = new AbortController();
    const pending = sharing.complete(request({ maxTokens: 500 }), controller.signal);
    setTimeout(() => controller.abort(new Error('cancelled')), 200);
    await expect(pending).rejects.toThrow('cancelled');
    expect(sharing.stats()).toMatchObject({ busySequences: 0, queuedGenerations: 0 });
    const after = await sharing.complete(request({ n: 2, maxTokens: 3 }));
    expect(after.choices).toHaveLength(2);
  });
});
