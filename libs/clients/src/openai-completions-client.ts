import { z } from 'zod';
import type { CompletionChoice, CompletionRequest, CompletionResult, FinishReason, PolicyClient } from './policy-client.js';
import { connectionFailureReason, RetryableFailure, withRetries } from './http-retry.js';

/** Base class of the errors `OpenAiCompletionsClient` throws. */
export class PolicyClientError extends Error {
  constructor(
    message: string,
    readonly url: string,
  ) {
    super(message);
  }
}

/** The server could not be reached (refused, reset, DNS), after the retries. */
export class PolicyUnreachableError extends PolicyClientError {
  override readonly name = 'PolicyUnreachableError';
  constructor(
    url: string,
    readonly reason: string,
  ) {
    super(`cannot reach the policy server at ${url}: ${reason}`, url);
  }
}

/** The server refused the request (4xx): retrying the same request cannot help. */
export class PolicyRequestError extends PolicyClientError {
  override readonly name = 'PolicyRequestError';
  constructor(
    url: string,
    readonly status: number,
    readonly serverMessage: string,
    readonly code: string | null,
  ) {
    super(`policy server at ${url} rejected the request (${status}): ${serverMessage}`, url);
  }
}

/**
 * Whether the server refused a prompt longer than the model's context: OpenAI's error code (the CPU model server
 * sends it) or vLLM's message.
 */
export function isContextLengthError(error: unknown): boolean {
  return error instanceof PolicyRequestError && (error.code === 'context_length_exceeded' || /maximum context length/i.test(error.serverMessage));
}

/** The server failed (5xx after the retries) or answered something that is not a completion. */
export class PolicyServerError extends PolicyClientError {
  override readonly name = 'PolicyServerError';
  constructor(
    url: string,
    readonly status: number | null,
    readonly detail: string,
  ) {
    super(`policy server at ${url} failed${status === null ? '' : ` (${status})`}: ${detail}`, url);
  }
}

/** One attempt took longer than `timeoutMs`; not retried, since a slow generation would only run again. */
export class PolicyTimeoutError extends PolicyClientError {
  override readonly name = 'PolicyTimeoutError';
  constructor(
    url: string,
    readonly timeoutMs: number,
  ) {
    super(`policy server at ${url} did not answer within ${timeoutMs} ms`, url);
  }
}

export interface OpenAiCompletionsClientOptions {
  /** Server root, e.g. `http://127.0.0.1:8081` (a trailing `/v1` is accepted too). */
  baseUrl: string;
  /** Model id sent in requests; when omitted, the first id of `GET /v1/models` is used. */
  model?: string;
  /** Limit for one attempt of one request, in ms. */
  timeoutMs?: number;
  /** Retries after the first attempt, for connection errors, 5xx and 429. */
  retries?: number;
  /** Delay before the first retry (doubles each time, capped at 5 s). */
  retryDelayMs?: number;
  /** Sent as `Authorization: Bearer ...` (vLLM `--api-key`). */
  apiKey?: string;
}

/** Where the first stop string occurs in `text` (earliest; the longest one on a tie), or null. */
export function findFirstStop(text: string, stops: readonly string[]): { index: number; stop: string } | null {
  let best: { index: number; stop: string } | null = null;
  for (const stop of stops) {
    if (stop === '') continue;
    const index = text.indexOf(stop);
    if (index < 0) continue;
    if (best === null || index < best.index || (index === best.index && stop.length > best.stop.length)) {
      best = { index, stop };
    }
  }
  return best;
}

/**
 * Puts a choice into the contract of `CompletionChoice` whatever the server did with stop strings:
 * `stopReason` is the stop string that ended the text (or null), and the text ends with it iff `includeStopStr`.
 * Servers differ: vLLM reports `stop_reason` and honours `include_stop_str_in_output`; SGLang reports `matched_stop`;
 * llama.cpp and others report neither and may or may not keep the stop string. When nothing says which stop string
 * fired and the text does not end with one, the candidate ended on an end-of-sequence token (or the server hides it).
 */
export function normalizeStop(
  text: string,
  finishReason: FinishReason,
  reportedStop: string | null,
  stops: readonly string[],
  includeStopStr: boolean,
): { text: string; stopReason: string | null } {
  if (finishReason !== 'stop') return { text, stopReason: null };
  let stop = reportedStop !== null && stops.includes(reportedStop) ? reportedStop : null;
  let body = text;
  const endsWith = (s: string): boolean => s !== '' && body.endsWith(s);
  if (stop !== null) {
    if (endsWith(stop)) body = body.slice(0, -stop.length);
  } else {
    // The longest stop string the text ends with: that is the one the server kept.
    const kept = stops.filter(endsWith).sort((a, b) => b.length - a.length)[0];
    if (kept !== undefined) {
      stop = kept;
      body = body.slice(0, -kept.length);
    }
  }
  if (stop === null) return { text, stopReason: null };
  return { text: includeStopStr ? body + stop : body, stopReason: stop };
}

const choiceSchema = z.object({
  index: z.number().int().nonnegative(),
  text: z.string(),
  finish_reason: z.string().nullable(),
  // vLLM: the stop string, or a token id for stop_token_ids; SGLang: matched_stop; llama.cpp: stopping_word.
  stop_reason: z.union([z.string(), z.number()]).nullable().optional(),
  matched_stop: z.union([z.string(), z.number()]).nullable().optional(),
  stopping_word: z.string().nullable().optional(),
});

const completionResponseSchema = z.object({
  choices: z.array(choiceSchema),
  usage: z
    .object({ prompt_tokens: z.number().int().nonnegative(), completion_tokens: z.number().int().nonnegative() })
    .nullable()
    .optional(),
});

const modelsResponseSchema = z.object({ data: z.array(z.object({ id: z.string() })) });

const errorBodySchema = z.object({
  error: z.union([
    z.object({ message: z.string(), code: z.union([z.string(), z.number()]).nullable().optional() }),
    z.string(),
  ]),
});

/**
 * `PolicyClient` over the OpenAI-compatible `/v1/completions` API: the embedded CPU model server, vLLM, SGLang or
 * llama.cpp's server. Retries connection errors, 5xx and 429 with exponential backoff; never retries other 4xx.
 */
export class OpenAiCompletionsClient implements PolicyClient {
  readonly baseUrl: string;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly retryDelayMs: number;
  private readonly apiKey: string | undefined;
  private model: string | undefined;

  constructor(options: OpenAiCompletionsClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '').replace(/\/v1$/, '');
    this.model = options.model;
    this.timeoutMs = options.timeoutMs ?? 600_000;
    this.retries = options.retries ?? 3;
    this.retryDelayMs = options.retryDelayMs ?? 250;
    this.apiKey = options.apiKey;
  }

  async complete(request: CompletionRequest, signal?: AbortSignal): Promise<CompletionResult> {
    const model = await this.resolveModel(signal);
    const body = {
      model,
      prompt: request.prompt,
      n: request.n,
      temperature: request.temperature,
      top_p: request.topP,
      max_tokens: request.maxTokens,
      stop: request.stop,
      include_stop_str_in_output: request.includeStopStrInOutput,
      ...(request.seed === undefined ? {} : { seed: request.seed }),
    };
    const json = await this.send('POST', '/v1/completions', body, signal);
    const parsed = completionResponseSchema.safeParse(json);
    if (!parsed.success) throw new PolicyServerError(this.url('/v1/completions'), null, 'the reply is not a completion');
    return this.mapCompletion(parsed.data, request);
  }

  /** Model ids the server serves (`GET /v1/models`). */
  async listModels(signal?: AbortSignal): Promise<string[]> {
    const json = await this.send('GET', '/v1/models', undefined, signal);
    const parsed = modelsResponseSchema.safeParse(json);
    if (!parsed.success) throw new PolicyServerError(this.url('/v1/models'), null, 'the reply is not a model list');
    return parsed.data.data.map((m) => m.id);
  }

  /** True when the server answers `GET /health` with 2xx; never throws (one attempt, no retries). */
  async health(signal?: AbortSignal): Promise<boolean> {
    const timeout = AbortSignal.timeout(Math.min(this.timeoutMs, 10_000));
    try {
      const response = await fetch(this.url('/health'), {
        headers: this.headers(),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
      await response.body?.cancel();
      return response.ok;
    } catch {
      return false;
    }
  }

  private async resolveModel(signal?: AbortSignal): Promise<string> {
    if (this.model !== undefined) return this.model;
    const [first] = await this.listModels(signal);
    if (first === undefined) throw new PolicyServerError(this.url('/v1/models'), null, 'the server lists no model');
    this.model = first;
    return first;
  }

  private mapCompletion(data: z.infer<typeof completionResponseSchema>, request: CompletionRequest): CompletionResult {
    const endpoint = this.url('/v1/completions');
    if (data.choices.length !== request.n) {
      throw new PolicyServerError(endpoint, null, `asked for ${request.n} choices, got ${data.choices.length}`);
    }
    const choices = [...data.choices]
      .sort((a, b) => a.index - b.index)
      .map((c, i): CompletionChoice => {
        const finishReason = mapFinishReason(c.finish_reason);
        if (finishReason === null) throw new PolicyServerError(endpoint, null, `unexpected finish_reason '${c.finish_reason}'`);
        const reported = [c.stop_reason, c.matched_stop, c.stopping_word].find((v): v is string => typeof v === 'string') ?? null;
        const { text, stopReason } = normalizeStop(c.text, finishReason, reported, request.stop, request.includeStopStrInOutput);
        return { index: i, text, finishReason, stopReason };
      });
    return {
      choices,
      usage: { promptTokens: data.usage?.prompt_tokens ?? 0, completionTokens: data.usage?.completion_tokens ?? 0 },
    };
  }

  private send(method: 'GET' | 'POST', path: string, body: unknown, signal?: AbortSignal): Promise<unknown> {
    const url = this.url(path);
    return withRetries(() => this.attempt(method, url, body, signal), { retries: this.retries, retryDelayMs: this.retryDelayMs, signal });
  }

  /** One HTTP exchange: returns the JSON body of a 2xx, throws a typed error otherwise. */
  private async attempt(method: 'GET' | 'POST', url: string, body: unknown, signal?: AbortSignal): Promise<unknown> {
    signal?.throwIfAborted();
    const timeout = AbortSignal.timeout(this.timeoutMs);
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: { ...this.headers(), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (timeout.aborted) throw new PolicyTimeoutError(url, this.timeoutMs);
      throw new RetryableFailure(new PolicyUnreachableError(this.baseUrl, connectionFailureReason(error)));
    }
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (timeout.aborted) throw new PolicyTimeoutError(url, this.timeoutMs);
      throw new RetryableFailure(new PolicyUnreachableError(this.baseUrl, connectionFailureReason(error)));
    }
    if (response.ok) {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        throw new PolicyServerError(url, response.status, 'the reply is not JSON');
      }
    }
    const { message, code } = errorDetail(text, response.statusText);
    if (response.status >= 500 || response.status === 429) {
      throw new RetryableFailure(new PolicyServerError(url, response.status, message));
    }
    throw new PolicyRequestError(url, response.status, message, code);
  }

  private url(path: string): string {
    return `${this.baseUrl}${path}`;
  }

  private headers(): Record<string, string> {
    return this.apiKey === undefined ? {} : { authorization: `Bearer ${this.apiKey}` };
  }
}

function mapFinishReason(reason: string | null): FinishReason | null {
  switch (reason) {
    case 'stop':
    case 'eos':
      return 'stop';
    case 'length':
      return 'length';
    case null:
    default:
      return null;
  }
}

/** The server's message from an OpenAI-style error body, else the raw body (shortened), else the status text. */
function errorDetail(body: string, statusText: string): { message: string; code: string | null } {
  try {
    const parsed = errorBodySchema.safeParse(JSON.parse(body));
    if (parsed.success) {
      const { error } = parsed.data;
      if (typeof error === 'string') return { message: error, code: null };
      return { message: error.message, code: error.code === undefined || error.code === null ? null : String(error.code) };
    }
  } catch {
    // Not JSON: fall through to the raw text.
  }
  const trimmed = body.trim().slice(0, 500);
  return { message: trimmed === '' ? statusText : trimmed, code: null };
}

