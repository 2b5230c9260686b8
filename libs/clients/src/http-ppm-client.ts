import { z } from 'zod';
import type { PpmClient } from './ppm-client.js';
import { connectionFailureReason, RetryableFailure, withRetries } from './http-retry.js';

/**
 * vLLM's pooling endpoints a reward model is served on: `classify` (`POST /classify`, one score list per input)
 * or `pooling` (`POST /pooling`, the pooler's raw output per input).
 */
export const PPM_APIS = ['classify', 'pooling'] as const;
export type PpmApi = (typeof PPM_APIS)[number];

/** Why a PPM call failed: unreachable and server failures were retried first; a timeout and a rejection are not. */
export const PPM_ERROR_CODES = ['unreachable', 'timeout', 'rejected', 'server'] as const;
export type PpmErrorCode = (typeof PPM_ERROR_CODES)[number];

/** The PPM client's one error type. */
export class PpmError extends Error {
  override readonly name = 'PpmError';
  constructor(
    readonly code: PpmErrorCode,
    readonly url: string,
    message: string,
    /** The HTTP status, when the server answered. */
    readonly status: number | null = null,
  ) {
    super(message);
  }
}

/** Builds the text the PPM scores from the question and the steps so far (the last one is scored). */
export type PpmInputFormat = (question: string, steps: readonly string[]) => string;

export interface HttpPpmClientOptions {
  /**
   * Where the endpoint lives: `http://ppm:8000` for vLLM (`/classify`, `/pooling` at the root), or a base
   * ending in `/v1` for servers that put them there (SGLang's `/v1/classify`).
   */
  baseUrl: string;
  api?: PpmApi;
  /** Model id sent in requests; vLLM uses its served model when omitted. */
  model?: string;
  /** The PPM's input text; `ppmInput` of @rstar/step-format. */
  formatInput: PpmInputFormat;
  /** Limit for one attempt, in ms. */
  timeoutMs?: number;
  /** Retries after the first attempt, for connection errors, 5xx and 429. */
  retries?: number;
  /** Delay before the first retry (doubles each time, capped at 5 s). */
  retryDelayMs?: number;
  /** Sent as `Authorization: Bearer ...` (vLLM `--api-key`). */
  apiKey?: string;
}

const classifyResponseSchema = z.object({
  data: z.array(z.object({ index: z.number().int().nonnegative(), probs: z.array(z.number()) })),
});

const poolingResponseSchema = z.object({
  data: z.array(
    z.object({
      index: z.number().int().nonnegative(),
      data: z.union([z.array(z.number()), z.array(z.array(z.number())), z.string()]),
    }),
  ),
});

const errorBodySchema = z.object({
  // OpenAI style ({error: {message}}), FastAPI's HTTPException ({detail}), older vLLM ({message}).
  error: z.union([z.object({ message: z.string() }), z.string()]).optional(),
  detail: z.string().optional(),
  message: z.string().optional(),
});

/**
 * `PpmClient` over a reward model served in the shape of vLLM's pooling API. All trajectories of one call
 * go in one request (`input` is a list), so the server batches them. Raw scores are asked for
 * (`use_activation: false`): callers map them into (-1, 1) with tanh(r / 5) themselves.
 *
 * The PPM has a scalar head: `classify` must return one score per input; `pooling` may return one score, or
 * one per token (a flat list, or one single-score row per token), whose last is the last token's: the score
 * of the step (METHOD.md §5: the head reads the hidden state of the last token).
 */
export class HttpPpmClient implements PpmClient {
  readonly baseUrl: string;
  readonly api: PpmApi;
  private readonly endpoint: string;
  private readonly model: string | undefined;
  private readonly formatInput: PpmInputFormat;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly retryDelayMs: number;
  private readonly apiKey: string | undefined;

  constructor(options: HttpPpmClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.api = options.api ?? 'classify';
    this.endpoint = `${this.baseUrl}/${this.api}`;
    this.model = options.model;
    this.formatInput = options.formatInput;
    this.timeoutMs = options.timeoutMs ?? 120_000;
    this.retries = options.retries ?? 3;
    this.retryDelayMs = options.retryDelayMs ?? 250;
    this.apiKey = options.apiKey;
  }

  async score(question: string, stepsList: string[][], signal?: AbortSignal): Promise<number[]> {
    if (stepsList.length === 0) return [];
    const input = stepsList.map((steps) => this.formatInput(question, steps));
    const body = {
      ...(this.model === undefined ? {} : { model: this.model }),
      input,
      use_activation: false,
      ...(this.api === 'pooling' ? { encoding_format: 'float' } : {}),
    };
    const json = await this.send(body, signal);
    const scores = this.api === 'classify' ? this.classifyScores(json) : this.poolingScores(json);
    if (scores.length !== input.length || scores.some((s) => s === undefined)) {
      throw this.badReply(`sent ${input.length} inputs, got scores for ${scores.filter((s) => s !== undefined).length}`);
    }
    return scores as number[];
  }

  /** Resolves when the server answers `GET /health` with 2xx (one attempt); throws a PpmError otherwise. */
  async ping(signal?: AbortSignal): Promise<void> {
    const url = `${this.baseUrl.replace(/\/v1$/, '')}/health`;
    const timeout = AbortSignal.timeout(Math.min(this.timeoutMs, 10_000));
    let response: Response;
    try {
      response = await fetch(url, { headers: this.headers(), signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
      await response.body?.cancel();
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (timeout.aborted) throw new PpmError('timeout', url, `the PPM server at ${url} did not answer in time`);
      throw new PpmError('unreachable', url, `cannot reach the PPM server at ${url}: ${connectionFailureReason(error)}`);
    }
    if (!response.ok) throw new PpmError('server', url, `the PPM server at ${url} is not healthy (${response.status})`, response.status);
  }

  /** Scores in input order; a hole is a missing index. */
  private classifyScores(json: unknown): (number | undefined)[] {
    const parsed = classifyResponseSchema.safeParse(json);
    if (!parsed.success) throw this.badReply('the reply is not a classification response');
    const scores: (number | undefined)[] = [];
    for (const item of parsed.data.data) {
      const [score, ...rest] = item.probs;
      if (score === undefined || rest.length > 0) {
        throw this.badReply(`expected one score per input (a scalar head), got ${item.probs.length}`);
      }
      this.place(scores, item.index, score);
    }
    return scores;
  }

  private poolingScores(json: unknown): (number | undefined)[] {
    const parsed = poolingResponseSchema.safeParse(json);
    if (!parsed.success) throw this.badReply('the reply is not a pooling response');
    const scores: (number | undefined)[] = [];
    for (const item of parsed.data.data) this.place(scores, item.index, this.lastTokenScore(item.data));
    return scores;
  }

  private lastTokenScore(data: number[] | number[][] | string): number {
    if (typeof data === 'string') throw this.badReply('got base64 data although floats were asked for');
    const last = data[data.length - 1];
    if (last === undefined) throw this.badReply('got an empty pooling output');
    if (typeof last === 'number') return last;
    const [score, ...rest] = last;
    if (score === undefined || rest.length > 0) throw this.badReply(`expected one score per token (a scalar head), got ${last.length}`);
    return score;
  }

  private place(scores: (number | undefined)[], index: number, score: number): void {
    if (scores[index] !== undefined) throw this.badReply(`index ${index} appears twice`);
    scores[index] = score;
  }

  private badReply(detail: string): PpmError {
    return new PpmError('server', this.endpoint, `the PPM server at ${this.endpoint} answered unexpectedly: ${detail}`);
  }

  private send(body: unknown, signal?: AbortSignal): Promise<unknown> {
    return withRetries(() => this.attempt(body, signal), { retries: this.retries, retryDelayMs: this.retryDelayMs, signal });
  }

  /** One HTTP exchange: the JSON body of a 2xx, or a typed error. */
  private async attempt(body: unknown, signal?: AbortSignal): Promise<unknown> {
    signal?.throwIfAborted();
    const url = this.endpoint;
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const failed = (error: unknown): Error => {
      if (signal?.aborted) return signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason));
      // A slow batch would only be slow again: a timeout is not retried.
      if (timeout.aborted) return new PpmError('timeout', url, `the PPM server at ${url} did not answer within ${this.timeoutMs} ms`);
      return new RetryableFailure(new PpmError('unreachable', url, `cannot reach the PPM server at ${url}: ${connectionFailureReason(error)}`));
    };
    let text: string;
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { ...this.headers(), 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
      text = await response.text();
    } catch (error) {
      throw failed(error);
    }
    if (response.ok) {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        throw new PpmError('server', url, `the PPM server at ${url} answered something that is not JSON`, response.status);
      }
    }
    const detail = errorDetail(text, response.statusText);
    const message = `the PPM server at ${url} ${response.status >= 500 ? 'failed' : 'rejected the request'} (${response.status}): ${detail}`;
    if (response.status >= 500 || response.status === 429) throw new RetryableFailure(new PpmError('server', url, message, response.status));
    throw new PpmError('rejected', url, message, response.status);
  }

  private headers(): Record<string, string> {
    return this.apiKey === undefined ? {} : { authorization: `Bearer ${this.apiKey}` };
  }
}

/** The server's message from an error body, else the raw body (shortened), else the status text. */
function errorDetail(body: string, statusText: string): string {
  try {
    const parsed = errorBodySchema.safeParse(JSON.parse(body));
    if (parsed.success) {
      const { error, detail, message } = parsed.data;
      const found = typeof error === 'string' ? error : (error?.message ?? detail ?? message);
      if (found !== undefined) return found;
    }
  } catch {
    // Not JSON: the raw text says more than nothing.
  }
  const trimmed = body.trim().slice(0, 500);
  return trimmed === '' ? statusText : trimmed;
}

