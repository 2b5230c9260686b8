import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  findFirstStop,
  isContextLengthError,
  normalizeStop,
  OpenAiCompletionsClient,
  PolicyRequestError,
  PolicyServerError,
  PolicyTimeoutError,
  PolicyUnreachableError,
} from './openai-completions-client.js';
import type { CompletionRequest } from './policy-client.js';

interface Recorded {
  method: string;
  url: string;
  body: unknown;
}

type Handler = (req: Recorded, res: ServerResponse) => void;

/** A tiny HTTP server standing in for vLLM / the CPU model server; records every request. */
class FakeServer {
  readonly requests: Recorded[] = [];
  private server: Server | null = null;
  constructor(private readonly handler: Handler) {}

  async start(): Promise<string> {
    this.server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const recorded = { method: req.method ?? '', url: req.url ?? '', body: raw === '' ? undefined : (JSON.parse(raw) as unknown) };
        this.requests.push(recorded);
        this.handler(recorded, res);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

const STOPS = ['<end_of_step>', '<end_of_code>', '<end_of_answer>'];

function request(overrides: Partial<CompletionRequest> = {}): CompletionRequest {
  return {
    prompt: 'Q: 1+1?\n',
    n: 2,
    temperature: 0.7,
    topP: 0.9,
    maxTokens: 32,
    stop: STOPS,
    includeStopStrInOutput: true,
    seed: 11,
    ...overrides,
  };
}

function completion(choices: Record<string, unknown>[]): unknown {
  return { id: 'cmpl-1', object: 'text_completion', created: 0, model: 'm', choices, usage: { prompt_tokens: 7, completion_tokens: 9, total_tokens: 16 } };
}

let fake: FakeServer | null = null;
afterEach(async () => {
  await fake?.stop();
  fake = null;
});

async function serve(handler: Handler): Promise<string> {
  fake = new FakeServer(handler);
  return fake.start();
}

describe('OpenAiCompletionsClient', () => {
  it('sends snake_case fields and maps the reply back', async () => {
    const url = await serve((_req, res) =>
      json(
        res,
        200,
        completion([
          { index: 1, text: 'x = 2\n', finish_reason: 'stop', stop_reason: '<end_of_code>', logprobs: null },
          { index: 0, text: 'y = 1', finish_reason: 'length', stop_reason: null, logprobs: null },
        ]),
      ),
    );
    const client = new OpenAiCompletionsClient({ baseUrl: `${url}/v1/`, model: 'policy', timeoutMs: 5000, retries: 0 });
    const result = await client.complete(request());

    expect(fake!.requests[0]).toMatchObject({ method: 'POST', url: '/v1/completions' });
    expect(fake!.requests[0]!.body).toEqual({
      model: 'policy',
      prompt: 'Q: 1+1?\n',
      n: 2,
      temperature: 0.7,
      top_p: 0.9,
      max_tokens: 32,
      stop: STOPS,
      include_stop_str_in_output: true,
      seed: 11,
    });
    expect(result).toEqual({
      choices: [
        { index: 0, text: 'y = 1', finishReason: 'length', stopReason: null },
        // vLLM left the stop string out although asked to include it: the client puts it back.
        { index: 1, text: 'x = 2\n<end_of_code>', finishReason: 'stop', stopReason: '<end_of_code>' },
      ],
      usage: { promptTokens: 7, completionTokens: 9 },
    });
  });

  it('asks /v1/models for the model id when none is configured', async () => {
    const url = await serve((req, res) => {
      if (req.url === '/v1/models') return json(res, 200, { object: 'list', data: [{ id: 'served-model', object: 'model' }] });
      json(res, 200, completion([{ index: 0, text: 'a', finish_reason: 'length' }]));
    });
    const client = new OpenAiCompletionsClient({ baseUrl: url, timeoutMs: 5000, retries: 0 });
    await client.complete(request({ n: 1, seed: undefined }));
    await client.complete(request({ n: 1 }));
    expect(fake!.requests.map((r) => r.url)).toEqual(['/v1/models', '/v1/completions', '/v1/completions']);
    expect(fake!.requests[1]!.body).toMatchObject({ model: 'served-model' });
    expect(fake!.requests[1]!.body).not.toHaveProperty('seed');
  });

  it('retries a 503 and then succeeds', async () => {
    let calls = 0;
    const url = await serve((_req, res) => {
      calls += 1;
      if (calls < 3) return json(res, 503, { error: { message: 'warming up', type: 'server_error', code: null } });
      json(res, 200, completion([{ index: 0, text: 'ok', finish_reason: 'length' }]));
    });
    const client = new OpenAiCompletionsClient({ baseUrl: url, model: 'm', timeoutMs: 5000, retries: 3, retryDelayMs: 1 });
    const result = await client.complete(request({ n: 1 }));
    expect(calls).toBe(3);
    expect(result.choices[0]!.text).toBe('ok');
  });

  it('gives up after the retries with the last 5xx', async () => {
    const url = await serve((_req, res) => json(res, 500, { error: { message: 'boom', type: 'server_error', code: null } }));
    const client = new OpenAiCompletionsClient({ baseUrl: url, model: 'm', timeoutMs: 5000, retries: 2, retryDelayMs: 1 });
    const error = await client.complete(request()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PolicyServerError);
    expect((error as PolicyServerError).status).toBe(500);
    expect(fake!.requests).toHaveLength(3);
  });

  it('does not retry a 400 and reports the server message', async () => {
    const url = await serve((_req, res) =>
      json(res, 400, { error: { message: 'max_tokens must be >= 1', type: 'invalid_request_error', code: 'invalid_request' } }),
    );
    const client = new OpenAiCompletionsClient({ baseUrl: url, model: 'm', timeoutMs: 5000, retries: 3, retryDelayMs: 1 });
    const error = await client.complete(request()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PolicyRequestError);
    expect(error).toMatchObject({ status: 400, serverMessage: 'max_tokens must be >= 1', code: 'invalid_request' });
    expect(fake!.requests).toHaveLength(1);
  });

  it('tells a prompt over the context apart from other refusals (OpenAI code or vLLM message)', async () => {
    const url = await serve((req, res) => {
      const prompt = (req.body as { prompt: string }).prompt;
      if (prompt === 'cpu') json(res, 400, { error: { message: 'the prompt has 5000 tokens', type: 'invalid_request_error', code: 'context_length_exceeded' } });
      else if (prompt === 'vllm') json(res, 400, { object: 'error', message: "This model's maximum context length is 4096 tokens. However, you requested 5000 tokens.", type: 'BadRequestError', code: 400 });
      else json(res, 400, { error: { message: 'max_tokens must be >= 1', type: 'invalid_request_error', code: 'invalid_request' } });
    });
    const client = new OpenAiCompletionsClient({ baseUrl: url, model: 'm', timeoutMs: 5000, retries: 0 });
    const refusal = (prompt: string) => client.complete({ ...request(), prompt }).catch((e: unknown) => e);
    expect(isContextLengthError(await refusal('cpu'))).toBe(true);
    expect(isContextLengthError(await refusal('vllm'))).toBe(true);
    expect(isContextLengthError(await refusal('other'))).toBe(false);
    expect(isContextLengthError(new Error('maximum context length'))).toBe(false);
  });

  it('reports an unreachable server with its URL and the reason', async () => {
    const url = await serve((_req, res) => json(res, 200, {}));
    await fake!.stop(); // the port is now closed
    fake = null;
    const client = new OpenAiCompletionsClient({ baseUrl: url, model: 'm', timeoutMs: 5000, retries: 1, retryDelayMs: 1 });
    const error = await client.complete(request()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PolicyUnreachableError);
    expect((error as Error).message).toMatch(new RegExp(`^cannot reach the policy server at ${url}: ECONNREFUSED`));
  });

  it('stops waiting when the caller aborts', async () => {
    const url = await serve(() => {
      // Never answers.
    });
    const client = new OpenAiCompletionsClient({ baseUrl: url, model: 'm', timeoutMs: 30_000, retries: 3 });
    const controller = new AbortController();
    const started = performance.now();
    const pending = client.complete(request(), controller.signal).catch((e: unknown) => e);
    setTimeout(() => controller.abort(new Error('search cancelled')), 50);
    const error = await pending;
    expect((error as Error).message).toBe('search cancelled');
    expect(performance.now() - started).toBeLessThan(2000);
    expect(fake!.requests).toHaveLength(1);
  });

  it('times out an attempt without retrying it', async () => {
    const url = await serve(() => {
      // Never answers.
    });
    const client = new OpenAiCompletionsClient({ baseUrl: url, model: 'm', timeoutMs: 100, retries: 3 });
    const error = await client.complete(request()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PolicyTimeoutError);
    expect(fake!.requests).toHaveLength(1);
  });

  it('recovers the stop string from servers that do not report it', async () => {
    const url = await serve((_req, res) =>
      json(
        res,
        200,
        completion([
          // llama.cpp style: no stop_reason, stop string kept.
          { index: 0, text: 'a = 1\n<end_of_step>', finish_reason: 'stop' },
          // SGLang style: matched_stop, stop string trimmed.
          { index: 1, text: 'b = 2\n', finish_reason: 'stop', matched_stop: '<end_of_code>' },
          // End of sequence: nothing to recover.
          { index: 2, text: 'done', finish_reason: 'stop', stop_reason: null },
        ]),
      ),
    );
    const client = new OpenAiCompletionsClient({ baseUrl: url, model: 'm', timeoutMs: 5000, retries: 0 });
    const included = await client.complete(request({ n: 3 }));
    expect(included.choices.map((c) => [c.text, c.stopReason])).toEqual([
      ['a = 1\n<end_of_step>', '<end_of_step>'],
      ['b = 2\n<end_of_code>', '<end_of_code>'],
      ['done', null],
    ]);
    const excluded = await client.complete(request({ n: 3, includeStopStrInOutput: false }));
    expect(excluded.choices.map((c) => [c.text, c.stopReason])).toEqual([
      ['a = 1\n', '<end_of_step>'],
      ['b = 2\n', '<end_of_code>'],
      ['done', null],
    ]);
  });

  it('rejects a reply with the wrong number of choices', async () => {
    const url = await serve((_req, res) => json(res, 200, completion([{ index: 0, text: 'a', finish_reason: 'length' }])));
    const client = new OpenAiCompletionsClient({ baseUrl: url, model: 'm', timeoutMs: 5000, retries: 0 });
    await expect(client.complete(request({ n: 2 }))).rejects.toBeInstanceOf(PolicyServerError);
  });

  it('lists models and checks health', async () => {
    const url = await serve((req, res) => {
      if (req.url === '/health') return json(res, 200, { status: 'ok' });
      json(res, 200, { object: 'list', data: [{ id: 'a' }, { id: 'b' }] });
    });
    const client = new OpenAiCompletionsClient({ baseUrl: url, timeoutMs: 5000, retries: 0 });
    expect(await client.listModels()).toEqual(['a', 'b']);
    expect(await client.health()).toBe(true);
    expect(await new OpenAiCompletionsClient({ baseUrl: 'http://127.0.0.1:1', retries: 0 }).health()).toBe(false);
  });
});

describe('stop helpers', () => {
  it('finds the earliest stop string, the longest on a tie', () => {
    expect(findFirstStop('ab<end_of_step>cd<end_of_code>', STOPS)).toEqual({ index: 2, stop: '<end_of_step>' });
    expect(findFirstStop('x\n\n', ['\n', '\n\n'])).toEqual({ index: 1, stop: '\n\n' });
    expect(findFirstStop('nothing', STOPS)).toBeNull();
  });

  it('normalizes text and stop reason to the contract', () => {
    expect(normalizeStop('a<end_of_step>', 'stop', '<end_of_step>', STOPS, false)).toEqual({ text: 'a', stopReason: '<end_of_step>' });
    expect(normalizeStop('a', 'stop', '<end_of_step>', STOPS, true)).toEqual({ text: 'a<end_of_step>', stopReason: '<end_of_step>' });
    expect(normalizeStop('a<end_of_step>', 'length', null, STOPS, true)).toEqual({ text: 'a<end_of_step>', stopReason: null });
    // A reported stop that the caller did not ask for (e.g. an EOS text) is not a stop string.
    expect(normalizeStop('a', 'stop', '</s>', STOPS, true)).toEqual({ text: 'a', stopReason: null });
  });
});
