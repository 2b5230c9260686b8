import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify';
import { z } from 'zod';
import { OpenAiCompletionsClient, type OpenAiCompletionsClientOptions } from '@rstar/clients';
import {
  CompletionRequestError,
  EngineClosedError,
  LlamaCompletionEngine,
  type CompletionEngine,
  type EngineCompletionRequest,
  type EngineCompletionResult,
} from './llama-completion-engine.js';
import { DEFAULT_MODEL_NAME } from './model-catalog.js';

/** Settings of the embedded CPU model server. */
export const cpuModelServerConfigSchema = z
  .object({
    /** Catalog name or path to a `.gguf` file. */
    model: z.string().min(1).default(DEFAULT_MODEL_NAME),
    modelsDir: z.string().min(1).optional(),
    /** CPU threads; defaults to (and is capped at) the cores available. */
    threads: z.number().int().positive().optional(),
    /** Sequences decoded in parallel. */
    parallel: z.number().int().min(1).max(64).default(4),
    /** Context per sequence, in tokens (METHOD.md §2: 4096). */
    contextSize: z.number().int().min(256).max(131_072).default(4096),
    host: z.string().min(1).default('127.0.0.1'),
    /** 0 picks a free port. */
    port: z.number().int().min(0).max(65_535).default(8081),
    gpu: z.enum(['off', 'auto']).default('off'),
    /** Off by default: on CPU it is slower and its result depends on how a prompt was split into batches. */
    flashAttention: z.boolean().default(false),
    /** Top-k for requests that set none; 0 disables it (OpenAI semantics). */
    topK: z.number().int().min(0).default(0),
  })
  .strict();

export type CpuModelServerConfig = z.output<typeof cpuModelServerConfigSchema>;
export type CpuModelServerConfigInput = z.input<typeof cpuModelServerConfigSchema>;

export class InvalidConfigError extends Error {
  override readonly name = 'InvalidConfigError';
}

/** Validates server settings; the error message lists every problem on one line. */
export function parseCpuModelServerConfig(input: unknown): CpuModelServerConfig {
  const parsed = cpuModelServerConfigSchema.safeParse(input);
  if (!parsed.success) throw new InvalidConfigError(`invalid model server config: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

const MAX_N = 128;

/** Body of `POST /v1/completions` (OpenAI, with vLLM's `include_stop_str_in_output`). */
const completionBodySchema = z.object({
  model: z.string().nullish(),
  prompt: z.union([z.string(), z.array(z.string()).length(1, 'only one prompt per request is supported')]),
  n: z.number().int().min(1).max(MAX_N).nullish(),
  temperature: z.number().min(0).max(100).nullish(),
  top_p: z.number().gt(0).max(1).nullish(),
  top_k: z.number().int().min(-1).nullish(),
  max_tokens: z.number().int().min(1).nullish(),
  stop: z.union([z.string(), z.array(z.string()).max(64)]).nullish(),
  include_stop_str_in_output: z.boolean().nullish(),
  seed: z.number().int().nullish(),
  stream: z.literal(false, 'streaming is not supported').nullish(),
  echo: z.literal(false, 'echo is not supported').nullish(),
  logprobs: z.null('logprobs are not supported').optional(),
  presence_penalty: z.literal(0, 'presence_penalty is not supported').nullish(),
  frequency_penalty: z.literal(0, 'frequency_penalty is not supported').nullish(),
});

type CompletionBody = z.output<typeof completionBodySchema>;

interface OpenAiErrorBody {
  error: { message: string; type: string; code: string | null; param: string | null };
}

function errorBody(message: string, type: string, code: string | null, param: string | null = null): OpenAiErrorBody {
  return { error: { message, type, code, param } };
}

function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : 'body'}: ${i.message}`).join('; ');
}

export interface ListenOptions {
  host?: string;
  port?: number;
}

export interface CpuModelServerOptions extends ListenOptions {
  /** Where internal errors are reported (their details never reach clients); stderr by default. */
  log?: (line: string) => void;
}

/**
 * The OpenAI-compatible completions API over a `CompletionEngine`: `POST /v1/completions`, `GET /v1/models`,
 * `GET /health`. Errors are OpenAI-style JSON (`{error: {message, type, code}}`) and never carry a stack trace.
 */
export class CpuModelServer {
  private readonly app: FastifyInstance;
  private readonly created = Math.floor(Date.now() / 1000);
  private listening: string | null = null;
  private closing = false;

  private readonly log: (line: string) => void;

  constructor(
    readonly engine: CompletionEngine,
    private readonly defaults: CpuModelServerOptions = {},
  ) {
    this.log = defaults.log ?? ((line) => process.stderr.write(`${line}\n`));
    this.app = Fastify({ logger: false, bodyLimit: 16 * 1024 * 1024 });
    this.routes();
  }

  /** Loads the model named by `config` and returns a server ready to `start()`. */
  static async create(config: CpuModelServerConfigInput = {}): Promise<CpuModelServer> {
    const c = parseCpuModelServerConfig(config);
    const engine = await LlamaCompletionEngine.load({
      model: c.model,
      parallel: c.parallel,
      contextSize: c.contextSize,
      gpu: c.gpu,
      flashAttention: c.flashAttention,
      topK: c.topK,
      ...(c.modelsDir === undefined ? {} : { modelsDir: c.modelsDir }),
      ...(c.threads === undefined ? {} : { threads: c.threads }),
    });
    return new CpuModelServer(engine, { host: c.host, port: c.port });
  }

  /** Listens and returns the base URL (`http://host:port`); port 0 picks a free one. */
  async start(options: ListenOptions = {}): Promise<string> {
    if (this.listening !== null) return this.listening;
    const host = options.host ?? this.defaults.host ?? '127.0.0.1';
    await this.app.listen({ host, port: options.port ?? this.defaults.port ?? 8081 });
    const { port } = this.app.server.address() as AddressInfo;
    const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
    this.listening = `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
    return this.listening;
  }

  /** The base URL once started. */
  get url(): string {
    if (this.listening === null) throw new Error('the model server is not started');
    return this.listening;
  }

  /** A `PolicyClient` for this server. */
  client(options: Omit<OpenAiCompletionsClientOptions, 'baseUrl'> = {}): OpenAiCompletionsClient {
    return new OpenAiCompletionsClient({ model: this.engine.modelName, timeoutMs: 600_000, retries: 2, ...options, baseUrl: this.url });
  }

  /** Aborts generations in flight (they answer 503), stops listening and frees the model. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    await this.engine.close();
    await this.app.close();
    this.listening = null;
  }

  private routes(): void {
    const app = this.app;
    app.setErrorHandler((error: FastifyError, _request, reply) => {
      const status = typeof error.statusCode === 'number' ? error.statusCode : 500;
      if (status >= 500) {
        this.log(`model-server: internal error: ${error.message}`);
        return reply.code(500).send(errorBody('internal server error', 'server_error', 'internal_error'));
      }
      return reply.code(status).send(errorBody(error.message, 'invalid_request_error', error.code ?? null));
    });
    app.setNotFoundHandler((request, reply) =>
      reply.code(404).send(errorBody(`no route ${request.method} ${request.url}`, 'invalid_request_error', 'not_found')),
    );

    app.get('/health', () => ({ status: 'ok', ...this.engine.info(), stats: this.engine.stats() }));

    app.get('/v1/models', () => ({
      object: 'list',
      data: [
        {
          id: this.engine.modelName,
          object: 'model',
          created: this.created,
          owned_by: 'rstar',
          max_model_len: this.engine.info().contextSize,
        },
      ],
    }));

    app.post('/v1/completions', async (request, reply) => {
      const parsed = completionBodySchema.safeParse(request.body);
      if (!parsed.success) {
        const param = parsed.error.issues[0]?.path.join('.') ?? null;
        return reply.code(400).send(errorBody(describeIssues(parsed.error), 'invalid_request_error', 'invalid_request', param));
      }
      const body = parsed.data;
      if (body.model != null && body.model !== this.engine.modelName) {
        return reply
          .code(404)
          .send(errorBody(`the model '${body.model}' does not exist; this server serves '${this.engine.modelName}'`, 'invalid_request_error', 'model_not_found', 'model'));
      }
      if (this.closing) return reply.code(503).send(errorBody('the server is shutting down', 'server_error', 'unavailable'));

      // A client that hangs up stops its generations.
      const controller = new AbortController();
      reply.raw.on('close', () => {
        if (!reply.raw.writableFinished) controller.abort(new Error('client disconnected'));
      });
      try {
        const result = await this.engine.complete(toCompletionRequest(body), controller.signal);
        return toResponseBody(result, this.engine.modelName);
      } catch (error) {
        return this.sendFailure(reply, error, controller.signal);
      }
    });
  }

  private sendFailure(reply: FastifyReply, error: unknown, signal: AbortSignal): FastifyReply {
    if (error instanceof CompletionRequestError) {
      return reply.code(400).send(errorBody(error.message, 'invalid_request_error', error.code));
    }
    if (error instanceof EngineClosedError || this.closing) {
      return reply.code(503).send(errorBody('the server is shutting down', 'server_error', 'unavailable'));
    }
    if (signal.aborted) return reply.code(499).send(errorBody('client closed the request', 'invalid_request_error', 'cancelled'));
    this.log(`model-server: generation failed: ${error instanceof Error ? error.message : String(error)}`);
    return reply.code(500).send(errorBody('internal server error', 'server_error', 'internal_error'));
  }
}

function toCompletionRequest(body: CompletionBody): EngineCompletionRequest {
  const stop = body.stop == null ? [] : typeof body.stop === 'string' ? [body.stop] : body.stop;
  return {
    prompt: typeof body.prompt === 'string' ? body.prompt : (body.prompt[0] ?? ''),
    n: body.n ?? 1,
    temperature: body.temperature ?? 1,
    topP: body.top_p ?? 1,
    maxTokens: body.max_tokens ?? 16,
    stop,
    includeStopStrInOutput: body.include_stop_str_in_output ?? false,
    ...(body.seed == null ? {} : { seed: body.seed }),
    ...(body.top_k == null ? {} : { topK: body.top_k }),
  };
}

function toResponseBody(result: EngineCompletionResult, model: string): unknown {
  const { promptTokens, completionTokens, cachedPromptTokens } = result.usage;
  return {
    id: `cmpl-${randomUUID()}`,
    object: 'text_completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: result.choices.map((c) => ({
      index: c.index,
      text: c.text,
      finish_reason: c.finishReason,
      stop_reason: c.stopReason,
      logprobs: null,
    })),
    usage: {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
      prompt_tokens_details: { cached_tokens: cachedPromptTokens },
    },
  };
}
