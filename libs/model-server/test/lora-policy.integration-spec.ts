// A trained policy directory holding a LoRA adapter (adapter.gguf over the base GGUF) is served by the CPU engine:
// the adapter is applied (greedy output differs from the base's) and the served name and prompt style are the policy's.
// It needs a real adapter: RSTAR_TEST_LORA=<adapter.gguf>, else the round-0 policy the repository ships.
import { existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { sftPrompt } from '@rstar/step-format';
import { workspaceRoot } from '@rstar/workspace';
import { afterAll, describe, expect, it } from 'vitest';
import type { CompletionRequest } from '@rstar/clients';
import { LlamaCompletionEngine, resolveModel } from '../src/index.js';

const adapter = resolve(process.env['RSTAR_TEST_LORA'] ?? join(workspaceRoot(), 'policies', 'policy-r0', 'adapter.gguf'));
const present = existsSync(adapter);
const dir = mkdtempSync(join(tmpdir(), 'rstar-lora-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const greedy: CompletionRequest = {
  prompt: sftPrompt('Tom has 3 apples and buys 4 more. How many apples does he have?'),
  n: 1, temperature: 0, topP: 1, maxTokens: 24, stop: [], includeStopStrInOutput: false,
};

describe.skipIf(!present)(`a LoRA policy directory (${present ? adapter : `skipped: no adapter at ${adapter}; set RSTAR_TEST_LORA`})`, { timeout: 120_000 }, () => {
  it('loads the adapter over the base and decodes differently from the base', async () => {
    symlinkSync(adapter, join(dir, 'adapter.gguf'));
    writeFileSync(join(dir, 'metadata.json'), JSON.stringify({
      schema: 'rstar.model.v1', name: 'tiny-lora', kind: 'policy', round: 0, base: 'smollm2-135m', baseGguf: resolveModel('smollm2-135m').path,
      method: 'lora', promptStyle: 'sft', datasets: [], config: {}, metrics: {},
    }));
    const base = await LlamaCompletionEngine.load({ model: 'smollm2-135m', parallel: 1, contextSize: 512 });
    const baseText = (await base.complete(greedy)).choices[0]!.text;
    await base.close();
    const policy = await LlamaCompletionEngine.load({ model: dir, parallel: 1, contextSize: 512 });
    try {
      expect(policy.modelName).toBe('tiny-lora');
      expect(policy.info().adapter).toBe(join(dir, 'adapter.gguf'));
      const first = (await policy.complete(greedy)).choices[0]!.text;
      expect(first).not.toBe(baseText);
      expect((await policy.complete(greedy)).choices[0]!.text).toBe(first); // deterministic with the adapter too
    } finally {
      await policy.close();
    }
  });
});
