// The embedded CPU model server with the real SmolLM2-135M model (installed by tools/setup), reached through
// OpenAiCompletionsClient exactly as the search reaches vLLM. Generations are kept short so this runs in seconds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpenAiCompletionsClient, PolicyRequestError, type CompletionChoice, type CompletionRequest } from '@rstar/clients';
import { CpuModelServer } from '../src/index.js';

const STOPS = ['<end_of_step>', '<end_of_code>', '<end_of_answer>'];

// A small few-shot prompt in the step format, so the model has reason to emit the markers.
const PROMPT = [
  '<|user|>:\nWhat is 3 + 4?\n<|assistant|>: Let\'s think step by step and solve the problem with code.',
  '<code>\n# Step 1: add the numbers\ntotal = 3 + 4\n<end_of_step>\n# Step 2: print the result\nprint(total)\n<end_of_code>',
  '<output>7<end_of_output>\n<answer>The sum is \\boxed{7}.<end_of_answer>\n',
  '<|user|>:\nWhat is 6 * 7?\n<|assistant|>: Let\'s think step by step and solve the problem with code.',
  '<code>\n',
].join('\n');

let server: CpuModelServer;
let client: OpenAiCompletionsClient;
let url: string;

beforeAll(async () => {
  server = await CpuModelServer.create({ model: 'smollm2-135m', parallel: 4, contextSize: 1024, port: 0 });
  url = await server.start();
  client = new OpenAiCompletionsClient({ baseUrl: url, timeoutMs: 60_000, retries: 0 });
}, 60_000);

afterAll(async () => {
  await server?.close();
});

function req(overrides: Partial<CompletionRequest> = {}): CompletionRequest {
  return { prompt: PROMPT, n: 3, temperature: 0.8, topP: 0.95, maxTokens: 24, stop: STOPS, includeStopStrInOutput: true, seed: 42, ...overrides };
}

/** The contract of a choice: a stop string ends the text iff it is the stop reason (and inclusion was asked). */
function expectConsistent(choice: CompletionChoice, request: CompletionRequest): void {
  if (choice.finishReason === 'length') expect(choice.stopReason).toBeNull();
  if (choice.stopReason !== null) {
    expect(choice.finishReason).toBe('stop');
    expect(request.stop).toContain(choice.stopReason);
    const body = request.includeStopStrInOutput ? choice.text.slice(0, -choice.stopReason.length) : choice.text;
    if (request.includeStopStrInOutput) expect(choice.text.endsWith(choice.stopReason)).toBe(true);
    for (const stop of request.stop) expect(body).not.toContain(stop);
  } else {
    for (const stop of request.stop) expect(choice.text).not.toContain(stop);
  }
}

const texts = (choices: CompletionChoice[]): string[] => choices.map((c) => c.text);

describe('CpuModelServer with smollm2-135m', { timeout: 60_000 }, () => {
  it('returns n candidates that honour the stop strings', async () => {
    const request = req();
    const result = await client.complete(request);
    expect(result.choices.map((c) => c.index)).toEqual([0, 1, 2]);
    for (const choice of result.choices) {
      expect(['stop', 'length']).toContain(choice.finishReason);
      expectConsistent(choice, request);
    }
    expect(result.usage.promptTokens).toBeGreaterThan(50);
    expect(result.usage.completionTokens).toBeLessThanOrEqual(3 * request.maxTokens);
  });

  it('stops at a stop string and keeps it only when asked', async () => {
    const kept = req({ stop: ['\n'], n: 2, maxTokens: 40 });
    const withStop = await client.complete(kept);
    withStop.choices.forEach((c) => expectConsistent(c, kept));
    expect(withStop.choices.some((c) => c.stopReason === '\n' && c.text.endsWith('\n'))).toBe(true);
    const dropped = { ...kept, includeStopStrInOutput: false };
    const withoutStop = await client.complete(dropped);
    withoutStop.choices.forEach((c) => expectConsistent(c, dropped));
    expect(withoutStop.choices.some((c) => c.stopReason === '\n')).toBe(true);
    // Same seed: the same candidates, less the stop string.
    expect(texts(withoutStop.choices)).toEqual(withStop.choices.map((c) => (c.stopReason ? c.text.slice(0, -1) : c.text)));
  });

  it('is deterministic at temperature 0', async () => {
    const greedy = req({ temperature: 0, n: 2, seed: undefined });
    const first = await client.complete(greedy);
    const second = await client.complete(greedy);
    expect(texts(second.choices)).toEqual(texts(first.choices));
    expect(first.choices[0]!.text).toBe(first.choices[1]!.text);
  });

  it('reproduces sampled candidates from the same seed, whatever the cache holds', async () => {
    const first = await client.complete(req({ seed: 1234 }));
    // Disturb every sequence's cache and the batch composition with other work in between.
    await client.complete(req({ prompt: `Unrelated text.\n${PROMPT}`, n: 4, seed: 9 }));
    const again = await client.complete(req({ seed: 1234 }));
    expect(texts(again.choices)).toEqual(texts(first.choices));
  });

  it('respects max_tokens', async () => {
    const result = await client.complete(req({ stop: [], n: 2, maxTokens: 5 }));
    expect(result.usage.completionTokens).toBeLessThanOrEqual(10);
    for (const choice of result.choices) {
      if (choice.finishReason === 'length') expect(choice.text.length).toBeGreaterThan(0);
    }
    if (result.choices.every((c) => c.finishReason === 'length')) expect(result.usage.completionTokens).toBe(10);
  });

  it('reuses the cached prompt prefix', async () => {
    const body = { prompt: `${PROMPT}# Step 1:`, n: 1, temperature: 0, max_tokens: 2 };
    const post = async (): Promise<{ usage: { prompt_tokens: number; prompt_tokens_details: { cached_tokens: number } } }> => {
      const response = await fetch(`${url}/v1/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect(response.status).toBe(200);
      return (await response.json()) as { usage: { prompt_tokens: number; prompt_tokens_details: { cached_tokens: number } } };
    };
    await post();
    const second = await post();
    expect(second.usage.prompt_tokens_details.cached_tokens).toBe(second.usage.prompt_tokens - 1);
  });

  it('answers 400 to bad input', async () => {
    const error = await client.complete(req({ n: 0 })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PolicyRequestError);
    expect((error as PolicyRequestError).status).toBe(400);
    const tooLong = await client.complete(req({ prompt: 'hello '.repeat(1500), n: 1 })).catch((e: unknown) => e);
    expect(tooLong).toBeInstanceOf(PolicyRequestError);
    expect(tooLong).toMatchObject({ status: 400, code: 'context_length_exceeded' });
    const raw = await fetch(`${url}/v1/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"prompt": 3}' });
    expect(raw.status).toBe(400);
    expect(await raw.json()).toMatchObject({ error: { type: 'invalid_request_error', code: 'invalid_request' } });
  });
});
