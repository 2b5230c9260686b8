import { afterEach, describe, expect, it } from 'vitest';
import { PolicyRequestError, type CompletionRequest } from '@rstar/clients';
import { CpuModelServer, InvalidConfigError, parseCpuModelServerConfig } from './cpu-model-server.js';
import {
  CompletionRequestError,
  type CompletionEngine,
  type EngineCompletionResult,
  type EngineInfo,
  type EngineStats,
} from './llama-completion-engine.js';

/** Stands in for the llama.cpp engine: echoes what it was asked, so the HTTP mapping can be checked. */
class FakeEngine implements CompletionEngine {
  readonly modelName = 'fake-model';
  readonly requests: CompletionRequest[] = [];
  closed = false;
  failWith: Error | null = null;
  /** When set, requests hang until aborted, and the signal they saw is kept here. */
  hang = false;
  lastSignal: AbortSignal | undefined;

  info(): EngineInfo {
    return { model: this.modelName, path: '/m.gguf', adapter: null, specialMarkers: [], threads: 1, parallel: 2, contextSize: 4096, batchSize: 512, gpu: false, flashAttention: false, topK: 0, sharePromptState: true };
  }

  stats(): EngineStats {
    return { requests: this.requests.length, generations: 0, promptTokens: 0, cachedPromptTokens: 0, copiedPromptTokens: 0, completionTokens: 0, busySequences: 0, queuedGenerations: 0 };
  }

  complete(request: CompletionRequest, signal?: AbortSignal): Promise<EngineCompletionResult> {
    this.requests.push(request);
    this.lastSignal = signal;
    if (this.hang) {
      return new Promise((_, reject) => signal?.addEventListener('abort', () => reject(new Error('aborted')), { once: true }));
    }
    if (this.failWith) return Promise.reject(this.failWith);
    const stop = request.stop[0] ?? null;
    return Promise.resolve({
      choices: Array.from({ length: request.n }, (_, index) => ({
        index,
        text: `c${index}${stop !== null && request.includeStopStrInOutput ? stop : ''}`,
        finishReason: stop === null ? ('length' as const) : ('stop' as const),
        stopReason: stop,
      })),
      usage: { promptTokens: 5, completionTokens: 3 * request.n, cachedPromptTokens: 2 },
    });
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}

let server: CpuModelServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

const logged: string[] = [];

async function start(engine = new FakeEngine()): Promise<{ url: string; engine: FakeEngine }> {
  server = new CpuModelServer(engine, { log: (line) => logged.push(line) });
  return { url: await server.start({ port: 0 }), engine };
}

async function post(url: string, body: unknown, contentType = 'application/json'): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${url}/v1/completions`, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

describe('CpuModelServer (HTTP layer)', () => {
  it('maps an OpenAI/vLLM request onto the engine and the result back', async () => {
    const { url, engine } = await start();
    const { status, json } = await post(url, {
      model: 'fake-model',
      prompt: 'Q',
      n: 2,
      temperature: 0.5,
      top_p: 0.9,
      max_tokens: 7,
      stop: '<end_of_step>',
      include_stop_str_in_output: true,
      seed: 3,
    });
    expect(status).toBe(200);
    expect(engine.requests[0]).toEqual({
      prompt: 'Q',
      n: 2,
      temperature: 0.5,
      topP: 0.9,
      maxTokens: 7,
      stop: ['<end_of_step>'],
      includeStopStrInOutput: true,
      seed: 3,
    });
    expect(json).toMatchObject({
      object: 'text_completion',
      model: 'fake-model',
      choices: [
        { index: 0, text: 'c0<end_of_step>', finish_reason: 'stop', stop_reason: '<end_of_step>', logprobs: null },
        { index: 1, text: 'c1<end_of_step>', finish_reason: 'stop', stop_reason: '<end_of_step>', logprobs: null },
      ],
      usage: { prompt_tokens: 5, completion_tokens: 6, total_tokens: 11, prompt_tokens_details: { cached_tokens: 2 } },
    });
    expect(json['id']).toMatch(/^cmpl-/);
  });

  it('applies OpenAI defaults to omitted fields', async () => {
    const { url, engine } = await start();
    expect((await post(url, { prompt: 'Q' })).status).toBe(200);
    expect(engine.requests[0]).toEqual({ prompt: 'Q', n: 1, temperature: 1, topP: 1, maxTokens: 16, stop: [], includeStopStrInOutput: false });
  });

  it.each([
    [{ n: 2 }, 'prompt'],
    [{ prompt: 'Q', n: 0 }, 'n'],
    [{ prompt: 'Q', max_tokens: 1.5 }, 'max_tokens'],
    [{ prompt: 'Q', top_p: 0 }, 'top_p'],
    [{ prompt: 'Q', temperature: -1 }, 'temperature'],
    [{ prompt: 'Q', stop: [1] }, 'stop'],
    [{ prompt: 'Q', stream: true }, 'stream'],
    [{ prompt: ['a', 'b'] }, 'prompt'],
  ])('answers 400 with an OpenAI error for %j', async (body, param) => {
    const { url, engine } = await start();
    const { status, json } = await post(url, body);
    expect(status).toBe(400);
    expect(json).toEqual({
      error: { message: expect.stringContaining(param), type: 'invalid_request_error', code: 'invalid_request', param: expect.stringContaining(param) },
    });
    expect(engine.requests).toHaveLength(0);
  });

  it('answers 400 for malformed JSON and wrong content types, without a stack trace', async () => {
    const { url } = await start();
    const bad = await post(url, '{"prompt": ');
    expect(bad.status).toBe(400);
    expect(bad.json).toEqual({ error: { message: expect.any(String), type: 'invalid_request_error', code: expect.any(String), param: null } });
    expect(JSON.stringify(bad.json)).not.toMatch(/at .*\.js/);
    const text = await post(url, '<prompt/>', 'application/xml');
    expect(text.status).toBe(415);
    expect(text.json).toHaveProperty('error.type', 'invalid_request_error');
  });

  it('answers 404 for another model and for unknown routes', async () => {
    const { url } = await start();
    const other = await post(url, { model: 'gpt-4', prompt: 'Q' });
    expect(other.status).toBe(404);
    expect(other.json).toHaveProperty('error.code', 'model_not_found');
    const route = await fetch(`${url}/v1/chat/completions`, { method: 'POST' });
    expect(route.status).toBe(404);
    expect(await route.json()).toHaveProperty('error.code', 'not_found');
  });

  it('passes engine rejections on as 400 and hides internal errors', async () => {
    const { url, engine } = await start();
    engine.failWith = new CompletionRequestError('the prompt has 5000 tokens', 'context_length_exceeded');
    const tooLong = await post(url, { prompt: 'Q' });
    expect(tooLong.status).toBe(400);
    expect(tooLong.json).toHaveProperty('error.code', 'context_length_exceeded');
    engine.failWith = new Error('native crash details');
    const internal = await post(url, { prompt: 'Q' });
    expect(internal.status).toBe(500);
    expect(internal.json).toEqual({ error: { message: 'internal server error', type: 'server_error', code: 'internal_error', param: null } });
    expect(logged.at(-1)).toBe('model-server: generation failed: native crash details');
  });

  it('serves /v1/models and /health, and a client for itself', async () => {
    const { url } = await start();
    const models = (await (await fetch(`${url}/v1/models`)).json()) as { data: { id: string }[] };
    expect(models.data.map((m) => m.id)).toEqual(['fake-model']);
    const health = await fetch(`${url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', model: 'fake-model', parallel: 2 });
    const client = server!.client();
    expect(await client.health()).toBe(true);
    const result = await client.complete({ prompt: 'Q', n: 1, temperature: 0, topP: 1, maxTokens: 4, stop: ['<end_of_step>'], includeStopStrInOutput: false });
    expect(result.choices[0]).toEqual({ index: 0, text: 'c0', finishReason: 'stop', stopReason: '<end_of_step>' });
    await expect(client.complete({ prompt: 'Q', n: 0, temperature: 0, topP: 1, maxTokens: 4, stop: [], includeStopStrInOutput: false })).rejects.toBeInstanceOf(
      PolicyRequestError,
    );
  });

  it('aborts the generation when the client hangs up', async () => {
    const { url, engine } = await start();
    engine.hang = true;
    const controller = new AbortController();
    const pending = fetch(`${url}/v1/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'Q' }),
      signal: controller.signal,
    }).catch(() => undefined);
    await expect.poll(() => engine.requests.length).toBe(1);
    controller.abort();
    await pending;
    await expect.poll(() => engine.lastSignal?.aborted).toBe(true);
  });

  it('closes the engine with the server', async () => {
    const { engine } = await start();
    await server!.close();
    server = null;
    expect(engine.closed).toBe(true);
  });
});

describe('parseCpuModelServerConfig', () => {
  it('fills defaults', () => {
    expect(parseCpuModelServerConfig({})).toEqual({
      model: 'smollm2-135m',
      parallel: 4,
      contextSize: 4096,
      host: '127.0.0.1',
      port: 8081,
      gpu: 'off',
      flashAttention: false,
      topK: 0,
    });
  });

  it('rejects bad values and unknown keys in one line', () => {
    expect(() => parseCpuModelServerConfig({ parallel: 0, port: 70000, colour: 'red' })).toThrow(InvalidConfigError);
    try {
      parseCpuModelServerConfig({ parallel: 0, threads: -1 });
    } catch (error) {
      expect((error as Error).message).toMatch(/^invalid model server config: /);
      expect((error as Error).message).toMatch(/parallel: .*/);
      expect((error as Error).message).toMatch(/threads: .*/);
      expect((error as Error).message).not.toContain('\n');
    }
  });
});
