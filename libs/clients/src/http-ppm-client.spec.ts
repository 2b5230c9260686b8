import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpPpmClient, PpmError, type HttpPpmClientOptions } from './http-ppm-client.js';

interface Recorded {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: unknown;
}

type Handler = (req: Recorded, res: ServerResponse) => void;

/** A tiny HTTP server standing in for a vLLM reward-model server; records every request. */
class FakeRewardServer {
  readonly requests: Recorded[] = [];
  private server: Server | null = null;
  constructor(private readonly handler: Handler) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const recorded = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: raw === '' ? undefined : (JSON.parse(raw) as unknown) };
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

const inputs = (req: Recorded): string[] => (req.body as { input: string[] }).input;

/** Scores each input by its length, so a test can tell which score belongs to which trajectory. */
function classifyByLength(req: Recorded, res: ServerResponse): void {
  const data = inputs(req).map((text, index) => ({ index, label: 'LABEL_0', probs: [text.length / 10], num_classes: 1 }));
  json(res, 200, { id: 'classify-1', object: 'list', created: 0, model: 'ppm', data: data.reverse(), usage: { prompt_tokens: 1, total_tokens: 1 } });
}

const formatInput = (question: string, steps: readonly string[]): string => [question, ...steps].join('|');

let fake: FakeRewardServer | null = null;
afterEach(async () => {
  await fake?.stop();
  fake = null;
});

async function serve(handler: Handler): Promise<string> {
  fake = new FakeRewardServer(handler);
  return fake.start();
}

function client(baseUrl: string, overrides: Partial<HttpPpmClientOptions> = {}): HttpPpmClient {
  return new HttpPpmClient({ baseUrl, formatInput, timeoutMs: 5000, retries: 0, retryDelayMs: 1, ...overrides });
}

describe('HttpPpmClient over /classify', () => {
  it('sends every trajectory of a call in one request and maps the scores back by index', async () => {
    const url = await serve(classifyByLength);
    const scores = await client(url, { model: 'ppm-r3', apiKey: 'k' }).score('Q', [['a'], ['a', 'bb'], ['a', 'bb', 'cccc']]);
    expect(fake!.requests).toHaveLength(1);
    expect(fake!.requests[0]).toMatchObject({ method: 'POST', url: '/classify' });
    expect(fake!.requests[0]!.headers.authorization).toBe('Bearer k');
    expect(fake!.requests[0]!.body).toEqual({ model: 'ppm-r3', input: ['Q|a', 'Q|a|bb', 'Q|a|bb|cccc'], use_activation: false });
    expect(scores).toEqual([0.3, 0.6, 1.1]);
  });

  it('keeps a /v1 base (SGLang) and leaves the model out when none is configured', async () => {
    const url = await serve(classifyByLength);
    await client(`${url}/v1/`).score('Q', [['x']]);
    expect(fake!.requests[0]!.url).toBe('/v1/classify');
    expect(fake!.requests[0]!.body).not.toHaveProperty('model');
  });

  it('makes no request for no trajectories', async () => {
    const url = await serve(classifyByLength);
    expect(await client(url).score('Q', [])).toEqual([]);
    expect(fake!.requests).toHaveLength(0);
  });

  it('refuses a head with more than one class', async () => {
    const url = await serve((_req, res) => json(res, 200, { data: [{ index: 0, label: 'a', probs: [0.4, 0.6], num_classes: 2 }] }));
    const error = await client(url).score('Q', [['x']]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PpmError);
    expect(error).toMatchObject({ code: 'server', message: expect.stringMatching(/one score per input/) as unknown });
  });

  it('refuses a reply with a score missing', async () => {
    const url = await serve((_req, res) => json(res, 200, { data: [{ index: 0, probs: [1], num_classes: 1 }] }));
    await expect(client(url).score('Q', [['x'], ['y']])).rejects.toMatchObject({ code: 'server', message: expect.stringMatching(/sent 2 inputs, got scores for 1/) as unknown });
  });
});

describe('HttpPpmClient over /pooling', () => {
  it('takes the last token of per-token outputs and a single pooled score alike', async () => {
    const url = await serve((req, res) => {
      const data = [
        { index: 0, object: 'pooling', data: [[0.1], [0.2], [0.7]] },
        { index: 1, object: 'pooling', data: [-1.5] },
        { index: 2, object: 'pooling', data: [0.3, 0.4, 2.5] },
      ];
      expect(inputs(req)).toHaveLength(3);
      json(res, 200, { id: 'pool-1', object: 'list', created: 0, model: 'ppm', data, usage: { prompt_tokens: 1, total_tokens: 1 } });
    });
    const scores = await client(url, { api: 'pooling' }).score('Q', [['a'], ['b'], ['c']]);
    expect(fake!.requests[0]!.url).toBe('/pooling');
    expect(fake!.requests[0]!.body).toEqual({ input: ['Q|a', 'Q|b', 'Q|c'], use_activation: false, encoding_format: 'float' });
    expect(scores).toEqual([0.7, -1.5, 2.5]);
  });

  it('refuses rows of more than one score and base64 data', async () => {
    let data: unknown = [[0.1, 0.9]];
    const url = await serve((_req, res) => json(res, 200, { data: [{ index: 0, data }] }));
    await expect(client(url, { api: 'pooling' }).score('Q', [['a']])).rejects.toMatchObject({ code: 'server', message: expect.stringMatching(/one score per token/) as unknown });
    data = 'AAAA';
    await expect(client(url, { api: 'pooling' }).score('Q', [['a']])).rejects.toMatchObject({ code: 'server', message: expect.stringMatching(/base64/) as unknown });
  });
});

describe('HttpPpmClient failures', () => {
  it('retries a 503 and then succeeds', async () => {
    let calls = 0;
    const url = await serve((req, res) => {
      calls += 1;
      if (calls < 3) return json(res, 503, { error: { message: 'loading', type: 'server_error' } });
      classifyByLength(req, res);
    });
    expect(await client(url, { retries: 3 }).score('Q', [['abc']])).toEqual([0.5]);
    expect(calls).toBe(3);
  });

  it('does not retry a 400 and reports the server message', async () => {
    const url = await serve((_req, res) => json(res, 400, { error: { message: 'input too long', type: 'BadRequestError', code: 400 } }));
    const error = await client(url, { retries: 3 }).score('Q', [['x']]).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'PpmError', code: 'rejected', status: 400 });
    expect((error as Error).message).toMatch(/rejected the request \(400\): input too long$/);
    expect(fake!.requests).toHaveLength(1);
  });

  it('reports a FastAPI error detail after the retries of a 500', async () => {
    const url = await serve((_req, res) => json(res, 500, { detail: 'CUDA out of memory' }));
    const error = await client(url, { retries: 1 }).score('Q', [['x']]).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'server', status: 500, message: expect.stringMatching(/failed \(500\): CUDA out of memory/) as unknown });
    expect(fake!.requests).toHaveLength(2);
  });

  it('reports an unreachable server with the reason', async () => {
    const url = await serve(() => undefined);
    await fake!.stop();
    fake = null;
    const error = await client(url, { retries: 1 }).score('Q', [['x']]).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'unreachable', message: expect.stringMatching(/^cannot reach the PPM server at .*\/classify: ECONNREFUSED/) as unknown });
  });

  it('times out an attempt without retrying it', async () => {
    const url = await serve(() => undefined); // never answers
    const started = performance.now();
    const error = await client(url, { timeoutMs: 100, retries: 3 }).score('Q', [['x']]).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'timeout' });
    expect(fake!.requests).toHaveLength(1);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('stops waiting when the caller aborts', async () => {
    const url = await serve(() => undefined);
    const controller = new AbortController();
    const pending = client(url, { timeoutMs: 30_000 }).score('Q', [['x']], controller.signal).catch((e: unknown) => e);
    setTimeout(() => controller.abort(new Error('search cancelled')), 50);
    expect(((await pending) as Error).message).toBe('search cancelled');
  });

  it('pings /health at the server root', async () => {
    const url = await serve((req, res) => (req.url === '/health' ? json(res, 200, {}) : json(res, 404, {})));
    await client(`${url}/v1`).ping();
        await expect(client(`${url}/other`).ping()).rejects.toMatchObject({ code: 'server', status: 404 });
    expect(fake!.requests.map((r) => r.url)).toEqual(['/health', '/other/health']);
    await fake!.stop();
    await expect(client(url).ping()).rejects.toMatchObject({ code: 'unreachable' });
  });
});
