import { randomInt } from 'node:crypto';
import { availableParallelism } from 'node:os';
import {
  getLlama,
  LlamaCompletion,
  LlamaLogLevel,
  type Llama,
  type LlamaCompletionResponse,
  type LlamaContext,
  type LlamaContextSequence,
  type LlamaModel,
  type Token,
} from 'node-llama-cpp';
import { findFirstStop, type CompletionChoice, type CompletionRequest, type CompletionResult } from '@rstar/clients';
import { DEFAULT_MODEL_NAME, resolveModel, type ResolvedModel } from './model-catalog.js';
import { createDeterministicBatching } from './deterministic-batching.js';
import { MarkerTokens } from './marker-tokens.js';
import { PromptSnapshot } from './prompt-snapshot.js';
import { installSamplingBarrier } from './sampling-barrier.js';

export interface LlamaEngineOptions {
  /** Catalog name (`smollm2-135m`, `gemma3-270m`), a path to a `.gguf` file, or a trained model directory. */
  model?: string;
  /** Where catalog names are looked up; defaults to the workspace's `models/`. */
  modelsDir?: string;
  /** CPU threads for evaluation; defaults to, and is capped at, the cores available. */
  threads?: number;
  /** Sequences decoded together (one per candidate in flight); requests beyond them wait. */
  parallel?: number;
  /** Context (prompt + generation) of each sequence, in tokens. */
  contextSize?: number;
  /** `auto` uses a GPU build when one loads and falls back to CPU. */
  gpu?: 'off' | 'auto';
  /**
   * Flash attention, off by default: on CPU, llama.cpp picks a different flash-attention kernel by batch shape
   * (tiled for 64+ prompt tokens, split-KV for one token over 512+ cached ones), so next-token probabilities moved by
   * up to 0.04-0.06 between a cold prompt and the same prompt behind a cached prefix, and seeds stop reproducing
   * across cache states. Its speed here was within measurement noise of the default.
   */
  flashAttention?: boolean;
  /** Tokens evaluated per batch (prompt chunks and parallel decode steps share it). */
  batchSize?: number;
  /**
   * Candidates of one request share the prompt evaluation (on by default): the first candidate evaluates the prompt,
   * its KV state is copied into the sequences of the others, which then evaluate only the last prompt token.
   */
  sharePromptState?: boolean;
  /**
   * Top-k applied before top-p when a request does not set one; 0 (the default) disables it, as in the OpenAI API.
   * Sampling over the whole vocabulary is a large share of CPU decode time (k = 40 measured 1.5x faster decode for
   * SmolLM2's 49k vocabulary, 2x for Gemma 3's 262k), but it changes which candidates can appear.
   */
  topK?: number;
  /** llama.cpp log lines at `warn` and above; dropped when not given. */
  onLog?: (level: string, message: string) => void;
}

export interface EngineInfo {
  model: string;
  path: string;
  /** LoRA adapter applied over `path`; null for a plain model. */
  adapter: string | null;
  /** Step markers the vocabulary holds as special tokens (a full fine-tune's); empty for a base model. */
  specialMarkers: string[];
  threads: number;
  parallel: number;
  contextSize: number;
  batchSize: number;
  gpu: string | false;
  flashAttention: boolean;
  /** Default top-k (0: off). */
  topK: number;
  sharePromptState: boolean;
}

export interface EngineStats {
  requests: number;
  /** Candidate generations run (a greedy request with n > 1 runs once). */
  generations: number;
  /** Prompt tokens each generation needed in its sequence (a prompt counts once per generation). */
  promptTokens: number;
  /** Of those, the tokens found in the sequence's KV cache instead of being evaluated. */
  cachedPromptTokens: number;
  /** Of those, the tokens copied from a sibling candidate's sequence (prompt sharing) instead of being evaluated. */
  copiedPromptTokens: number;
  completionTokens: number;
  busySequences: number;
  queuedGenerations: number;
}

/** A completion request with the engine-only knobs (vLLM's `top_k`). */
export interface EngineCompletionRequest extends CompletionRequest {
  /** 0 or -1 disables top-k; undefined uses the engine's default. */
  topK?: number;
}

export interface EngineCompletionResult extends CompletionResult {
  usage: CompletionResult['usage'] & { cachedPromptTokens: number };
}

export type CompletionRejection = 'invalid_request' | 'context_length_exceeded';

/** The request cannot be served as given (the HTTP layer answers 400). */
export class CompletionRequestError extends Error {
  override readonly name = 'CompletionRequestError';
  constructor(
    message: string,
    readonly code: CompletionRejection,
  ) {
    super(message);
  }
}

export class EngineClosedError extends Error {
  override readonly name = 'EngineClosedError';
  constructor() {
    super('the model engine is closed');
  }
}

/** What the HTTP layer needs from an engine; a fake can stand in for it in tests. */
export interface CompletionEngine {
  readonly modelName: string;
  info(): EngineInfo;
  stats(): EngineStats;
  complete(request: EngineCompletionRequest, signal?: AbortSignal): Promise<EngineCompletionResult>;
  close(): Promise<void>;
}

interface Slot {
  readonly id: number;
  readonly sequence: LlamaContextSequence;
  readonly completion: LlamaCompletion;
  busy: boolean;
  lastUsed: number;
}

interface Waiter {
  readonly tokens: readonly Token[];
  readonly resolve: (slot: Slot) => void;
  readonly reject: (error: Error) => void;
}

/** A stop condition as node-llama-cpp checks it, and the stop string it stands for. */
interface StopTrigger {
  readonly trigger: readonly (string | Token)[];
  readonly stop: string;
}

interface Generation {
  choice: Omit<CompletionChoice, 'index'>;
  completionTokens: number;
  cachedPromptTokens: number;
}

const UINT32 = 2 ** 32;
/** Loading a snapshot costs about what evaluating a few tokens does; below this many missing tokens, evaluate. */
const MIN_TOKENS_WORTH_COPYING = 16;

/**
 * Serves completions from a GGUF model with llama.cpp (node-llama-cpp), CPU first.
 *
 * - One context with `parallel` sequences; the candidates of a request (and of concurrent requests) are decoded in
 *   the same batches, each on its own sequence. Candidates beyond the free sequences wait in FIFO order.
 * - Prefix reuse: a sequence keeps the KV cache of its last prompt (all but the last token). A candidate goes to the
 *   free sequence sharing the longest token prefix with its prompt; only the diverging tail is erased and evaluated.
 * - Prompt sharing: the first candidate of a request evaluates the prompt; its state is copied into its siblings'
 *   sequences (when they miss 16+ tokens of it), so an expansion evaluates its prompt once, not n times.
 * - Sampling: candidate i of a request with seed s samples with seed s + i (random s when none is given). Greedy
 *   (temperature 0) requests decode once and repeat the result n times.
 * - Reproducibility (CPU, flash attention off): a candidate depends only on the prompt, the sampling settings and its
 *   seed, not on which sequence ran it, what was cached, or what else was decoding. That takes three measures: the
 *   sampling barrier (sampling-barrier.ts), batches that never evaluate a prompt token alone except the last one
 *   (deterministic-batching.ts), and caches that keep only tokens evaluated that way (`keepOnly`).
 */
export class LlamaCompletionEngine implements CompletionEngine {
  private readonly slots: Slot[];
  private readonly waiters: Waiter[] = [];
  private readonly inFlight = new Set<AbortController>();
  private readonly bosToken: Token | null;
  private readonly counters = {
    requests: 0,
    generations: 0,
    promptTokens: 0,
    cachedPromptTokens: 0,
    copiedPromptTokens: 0,
    completionTokens: 0,
  };
  private useClock = 0;
  private closed = false;

  private constructor(
    private readonly llama: Llama,
    private readonly model: LlamaModel,
    private readonly context: LlamaContext,
    private readonly resolved: ResolvedModel,
    private readonly engineInfo: EngineInfo,
    private readonly markerTokens: MarkerTokens,
  ) {
    this.slots = Array.from({ length: engineInfo.parallel }, (_, id) => {
      const sequence = context.getSequence();
      return { id, sequence, completion: new LlamaCompletion({ contextSequence: sequence }), busy: false, lastUsed: 0 };
    });
    // Mirrors LlamaCompletion, which prepends this token to the prompt tokens it is given.
    this.bosToken = model.tokens.shouldPrependBosToken ? model.tokens.bos : null;
  }

  static async load(options: LlamaEngineOptions = {}): Promise<LlamaCompletionEngine> {
    const resolved = resolveModel(options.model ?? DEFAULT_MODEL_NAME, options.modelsDir);
    const cores = availableParallelism();
    // More threads than cores collapses decode speed (0.3 tok/s with 4 threads on 2 cores).
    const threads = Math.max(1, Math.min(options.threads ?? cores, cores));
    const parallel = options.parallel ?? 4;
    const flashAttention = options.flashAttention ?? false;
    const requestedContext = options.contextSize ?? resolved.catalog?.defaultContextSize ?? 4096;
    const onLog = options.onLog;

    const llama = await getLlama({
      gpu: options.gpu === 'auto' ? 'auto' : false,
      build: 'never',
      skipDownload: true,
      progressLogs: false,
      maxThreads: threads,
      logLevel: onLog ? LlamaLogLevel.warn : LlamaLogLevel.disabled,
      ...(onLog ? { logger: (level: LlamaLogLevel, message: string) => onLog(level, message.trimEnd()) } : {}),
    });
    try {
      const model = await llama.loadModel({ modelPath: resolved.path });
      const contextSize = Math.min(requestedContext, model.trainContextSize ?? requestedContext);
      const context = await model.createContext({
        sequences: parallel,
        contextSize,
        threads,
        flashAttention,
        // Sliding-window models otherwise drop the KV of old tokens, and a prefix could not be reused.
        swaFullCache: true,
        failedCreationRemedy: false,
        batching: { itemPrioritizationStrategy: createDeterministicBatching() },
        // A LoRA model: the adapter applies over the unchanged base weights (released with the model).
        ...(resolved.adapter === null ? {} : { lora: { adapters: [{ filePath: resolved.adapter }] } }),
        ...(options.batchSize === undefined ? {} : { batchSize: options.batchSize }),
      });
      if (parallel > 1) installSamplingBarrier(context);
      const markerTokens = MarkerTokens.of(model);
      const info: EngineInfo = {
        model: resolved.name,
        path: resolved.path,
        adapter: resolved.adapter,
        specialMarkers: markerTokens.markers,
        threads,
        parallel,
        contextSize: context.contextSize,
        batchSize: context.batchSize,
        gpu: llama.gpu,
        flashAttention: context.flashAttention === true,
        topK: Math.max(0, options.topK ?? 0),
        sharePromptState: options.sharePromptState ?? true,
      };
      return new LlamaCompletionEngine(llama, model, context, resolved, info, markerTokens);
    } catch (error) {
      await llama.dispose();
      throw error;
    }
  }

  get modelName(): string {
    return this.resolved.name;
  }

  info(): EngineInfo {
    return { ...this.engineInfo };
  }

  stats(): EngineStats {
    return {
      ...this.counters,
      busySequences: this.slots.filter((s) => s.busy).length,
      queuedGenerations: this.waiters.length,
    };
  }

  /** Prompt length in tokens as `complete` counts it (BOS included). */
  countPromptTokens(prompt: string): number {
    return this.promptTokens(prompt).length;
  }

  async complete(request: EngineCompletionRequest, signal?: AbortSignal): Promise<EngineCompletionResult> {
    if (this.closed) throw new EngineClosedError();
    validateRequest(request);
    const prompt = this.promptTokens(request.prompt);
    const contextSize = this.engineInfo.contextSize;
    if (prompt.length >= contextSize) {
      throw new CompletionRequestError(
        `the prompt has ${prompt.length} tokens; this model's context is ${contextSize} tokens per sequence`,
        'context_length_exceeded',
      );
    }
    // Generation stops with 'length' where the context ends, rather than failing the request.
    const maxTokens = Math.min(request.maxTokens, contextSize - prompt.length);
    const stops = this.stopTriggers(request.stop);
    const baseSeed = request.seed ?? randomInt(0, 2 ** 31);
    // Greedy candidates are identical (decoding is deterministic here), so one decode serves all n.
    const runs = request.temperature === 0 ? 1 : request.n;

    const controller = new AbortController();
    this.inFlight.add(controller);
    const combined = signal ? AbortSignal.any([signal, controller.signal]) : controller.signal;
    const snapshot = runs > 1 && this.engineInfo.sharePromptState ? new PromptSnapshot() : null;
    try {
      let firstError: { error: unknown } | null = null;
      const settled = await Promise.allSettled(
        Array.from({ length: runs }, (_, i) =>
          this.generate(prompt, request, stops, maxTokens, (baseSeed + i) % UINT32, combined, snapshot && { snapshot, owner: i === 0 }).catch(
            (error: unknown) => {
              // One failed candidate fails the request: stop its siblings instead of decoding for nobody.
              firstError ??= { error };
              controller.abort(error);
              throw error;
            },
          ),
        ),
      );
      // Reject only once every candidate has let go of its sequence.
      if (firstError !== null) throw (firstError as { error: unknown }).error;
      const generations = settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      const choices = Array.from({ length: request.n }, (_, index): CompletionChoice => {
        const generation = generations[runs === 1 ? 0 : index];
        if (generation === undefined) throw new Error('missing generation');
        return { index, ...generation.choice };
      });
      const completionTokens =
        runs === 1
          ? (generations[0]?.completionTokens ?? 0) * request.n
          : generations.reduce((sum, g) => sum + g.completionTokens, 0);
      const cachedPromptTokens = Math.min(...generations.map((g) => g.cachedPromptTokens));
      this.counters.requests += 1;
      this.counters.completionTokens += completionTokens;
      return { choices, usage: { promptTokens: prompt.length, completionTokens, cachedPromptTokens } };
    } finally {
      this.inFlight.delete(controller);
      await snapshot?.discard();
    }
  }

  /** Aborts what is running, fails what waits, and frees the model. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const waiter of this.waiters.splice(0)) waiter.reject(new EngineClosedError());
    for (const controller of this.inFlight) controller.abort(new EngineClosedError());
    // Let aborted generations unwind before their sequences go away.
    while (this.slots.some((s) => s.busy)) await new Promise((r) => setTimeout(r, 10));
    await this.context.dispose();
    await this.model.dispose();
    await this.llama.dispose();
  }

  private promptTokens(prompt: string): Token[] {
    // Special-token text (e.g. <|im_start|>) is parsed as special tokens, as vLLM's tokenizers do.
    const tokens = this.model.tokenize(prompt, true, this.bosToken === null ? undefined : 'trimLeadingSpace');
    return this.bosToken === null ? tokens : [this.bosToken, ...tokens];
  }

  /**
   * Each stop string is watched as text; one that the tokenizer maps to a single special token (a marker added as a
   * special token by SFT) is also watched as that token, since special tokens have no text when detokenized.
   */
  private stopTriggers(stops: readonly string[]): StopTrigger[] {
    const triggers: StopTrigger[] = [];
    for (const stop of stops) {
      triggers.push({ trigger: [stop], stop });
      const tokens = this.model.tokenize(stop, true);
      const [only] = tokens;
      if (tokens.length === 1 && only !== undefined && this.model.isSpecialToken(only)) triggers.push({ trigger: [only], stop });
    }
    return triggers;
  }

  private async generate(
    prompt: readonly Token[],
    request: EngineCompletionRequest,
    stops: readonly StopTrigger[],
    maxTokens: number,
    seed: number,
    signal: AbortSignal,
    sharing: { snapshot: PromptSnapshot; owner: boolean } | null,
  ): Promise<Generation> {
    // The owner (first candidate) asks for a sequence first, so it never waits behind siblings that wait for it.
    const slot = await this.acquire(prompt, signal);
    const prefix = prompt.slice(0, -1);
    try {
      let cachedPromptTokens: number;
      const held = commonPrefixLength(slot.sequence.contextTokens, prefix);
      if (sharing && !sharing.owner && (await this.loadSnapshot(slot, prefix.length - held, sharing.snapshot, signal))) {
        cachedPromptTokens = prefix.length;
        this.counters.copiedPromptTokens += prefix.length - held;
      } else {
        try {
          // Prompt evaluation cannot be interrupted; do not start one for a request already given up.
          if (signal.aborted) throw abortReason(signal);
          cachedPromptTokens = await this.evaluatePrefix(slot, prefix);
        } catch (error) {
          if (sharing?.owner) sharing.snapshot.publish(false);
          throw error;
        }
        if (sharing?.owner) await this.saveSnapshot(slot, sharing.snapshot);
      }
      // The sequence holds exactly the prompt but its last token; LlamaCompletion evaluates that token alone.
      const meterBefore = slot.sequence.tokenMeter.getState();
      const generated: Token[] = [];
      const input = this.bosToken === null ? prompt.slice() : prompt.slice(1);
      const response = await slot.completion.generateCompletionWithMeta(input, {
        signal,
        maxTokens,
        temperature: request.temperature,
        topP: request.topP,
        // OpenAI semantics: no top-k unless asked (node-llama-cpp would default to 40).
        topK: Math.max(0, request.topK ?? this.engineInfo.topK),
        seed,
        onToken: (tokens) => generated.push(...tokens),
        repeatPenalty: false, // OpenAI semantics: no penalties (node-llama-cpp defaults to one)
        customStopTriggers: stops.map((s) => s.trigger),
        disableContextShift: true,
        contextShiftSize: 1,
      });
      const completionTokens = slot.sequence.tokenMeter.diff(meterBefore).usedOutputTokens;
      this.counters.generations += 1;
      this.counters.promptTokens += prompt.length;
      this.counters.cachedPromptTokens += cachedPromptTokens;
      // Marker tokens decode to nothing in node-llama-cpp's text: decode them as their marker text instead.
      const text = generated.some((t) => this.markerTokens.has(t)) ? this.markerTokens.decode(this.model, generated) : response.response;
      return { choice: toChoice({ ...response, response: text }, stops, request), completionTokens, cachedPromptTokens };
    } finally {
      await this.keepOnly(slot, prefix.length).catch(() => undefined);
      this.release(slot);
    }
  }

  /**
   * Makes the sequence hold `prefix` (the prompt but its last token), reusing its cached prefix, and returns how many
   * tokens were reused. The new part is evaluated as one chunk of 2+ tokens (see deterministic-batching.ts): a single
   * missing token is evaluated together with the one before it.
   */
  private async evaluatePrefix(slot: Slot, prefix: readonly Token[]): Promise<number> {
    const sequence = slot.sequence;
    let keep = commonPrefixLength(sequence.contextTokens, prefix);
    if (prefix.length - keep === 1 && keep > 0) keep -= 1;
    await this.keepOnly(slot, keep);
    if (keep < prefix.length) await sequence.evaluateWithoutGeneratingNewTokens(prefix.slice(keep));
    return keep;
  }

  /**
   * Drops everything after the first `length` tokens. After a generation the sequence keeps only the prompt but its
   * last token: the last prompt token and the generated ones were evaluated one at a time, and reusing them would make
   * a later prompt that contains them come out (slightly) differently than the same prompt evaluated from scratch.
   */
  private async keepOnly(slot: Slot, length: number): Promise<void> {
    const sequence = slot.sequence;
    if (sequence.nextTokenIndex > length) {
      await sequence.eraseContextTokenRanges([{ start: length, end: sequence.nextTokenIndex }]);
    }
  }

  /** Saves the owner's prompt state for its siblings; they evaluate the prompt themselves when this fails. */
  private async saveSnapshot(slot: Slot, snapshot: PromptSnapshot): Promise<void> {
    try {
      await slot.sequence.saveStateToFile(snapshot.path);
      snapshot.publish(true);
    } catch {
      snapshot.publish(false);
    }
  }

  /** Copies the owner's prompt state into this sequence when that saves enough evaluation; true when it did. */
  private async loadSnapshot(slot: Slot, missing: number, snapshot: PromptSnapshot, signal: AbortSignal): Promise<boolean> {
    if (missing < MIN_TOKENS_WORTH_COPYING) return false;
    const saved = await Promise.race([
      snapshot.ready,
      new Promise<false>((resolve) => signal.addEventListener('abort', () => resolve(false), { once: true })),
    ]);
    if (!saved || signal.aborted) return false;
    try {
      await slot.sequence.loadStateFromFile(snapshot.path, { acceptRisk: true });
      return true;
    } catch {
      // A failed load leaves the sequence empty; the prefix is then evaluated.
      return false;
    }
  }

  private acquire(tokens: readonly Token[], signal: AbortSignal): Promise<Slot> {
    if (this.closed) return Promise.reject(new EngineClosedError());
    if (signal.aborted) return Promise.reject(abortReason(signal));
    if (this.waiters.length === 0) {
      const slot = this.bestFreeSlot(tokens);
      if (slot) return Promise.resolve(this.take(slot));
    }
    return new Promise<Slot>((resolve, reject) => {
      const onAbort = (): void => {
        const at = this.waiters.indexOf(waiter);
        if (at >= 0) this.waiters.splice(at, 1);
        reject(abortReason(signal));
      };
      const waiter: Waiter = {
        tokens,
        resolve: (slot) => {
          signal.removeEventListener('abort', onAbort);
          resolve(slot);
        },
        reject: (error) => {
          signal.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  private release(slot: Slot): void {
    slot.busy = false;
    const waiter = this.waiters.shift();
    if (!waiter) return;
    const best = this.bestFreeSlot(waiter.tokens) ?? slot;
    waiter.resolve(this.take(best));
  }

  private take(slot: Slot): Slot {
    slot.busy = true;
    slot.lastUsed = ++this.useClock;
    return slot;
  }

  /** The free sequence sharing the longest cached prefix with `tokens`; the least recently used on a tie. */
  private bestFreeSlot(tokens: readonly Token[]): Slot | undefined {
    let best: { slot: Slot; shared: number } | undefined;
    for (const slot of this.slots) {
      if (slot.busy) continue;
      const shared = commonPrefixLength(slot.sequence.contextTokens, tokens);
      if (!best || shared > best.shared || (shared === best.shared && slot.lastUsed < best.slot.lastUsed)) {
        best = { slot, shared };
      }
    }
    return best?.slot;
  }
}

function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new DOMException('the request was aborted', 'AbortError');
}

export function commonPrefixLength(a: readonly Token[], b: readonly Token[]): number {
  const limit = Math.min(a.length, b.length);
  let i = 0;
  while (i < limit && a[i] === b[i]) i++;
  return i;
}

function validateRequest(request: EngineCompletionRequest): void {
  const problems: string[] = [];
  if (request.prompt === '') problems.push('prompt must not be empty');
  if (!Number.isInteger(request.n) || request.n < 1) problems.push('n must be an integer >= 1');
  if (!Number.isInteger(request.maxTokens) || request.maxTokens < 1) problems.push('max_tokens must be an integer >= 1');
  if (!(request.temperature >= 0)) problems.push('temperature must be >= 0');
  if (!(request.topP > 0 && request.topP <= 1)) problems.push('top_p must be in (0, 1]');
  if (request.stop.some((s) => s === '')) problems.push('stop strings must not be empty');
  if (request.seed !== undefined && !Number.isInteger(request.seed)) problems.push('seed must be an integer');
  if (request.topK !== undefined && (!Number.isInteger(request.topK) || request.topK < -1)) problems.push('top_k must be -1, 0 or a positive integer');
  if (problems.length > 0) throw new CompletionRequestError(problems.join('; '), 'invalid_request');
}

function toChoice(
  response: LlamaCompletionResponse,
  stops: readonly StopTrigger[],
  request: CompletionRequest,
): Omit<CompletionChoice, 'index'> {
  const { metadata } = response;
  switch (metadata.stopReason) {
    case 'maxTokens':
      return { text: response.response, finishReason: 'length', stopReason: null };
    case 'eogToken':
    case 'stopGenerationTrigger':
      return { text: response.response, finishReason: 'stop', stopReason: null };
    case 'abort':
      throw new Error('generation aborted');
    case 'customStopTrigger': {
      const fired = stops.find((s) => sameTrigger(s.trigger, metadata.customStopTrigger));
      if (!fired) return { text: response.response, finishReason: 'stop', stopReason: null };
      // Stop at the earliest stop string even when two complete within one token.
      const full = response.response + fired.stop;
      const first = findFirstStop(full, request.stop) ?? { index: response.response.length, stop: fired.stop };
      const body = full.slice(0, first.index);
      return {
        text: request.includeStopStrInOutput ? body + first.stop : body,
        finishReason: 'stop',
        stopReason: first.stop,
      };
    }
  }
}

function sameTrigger(a: readonly (string | Token)[], b: readonly (string | Token)[]): boolean {
  // node-llama-cpp may split or merge the text parts of a trigger; compare text and tokens as sequences.
  const text = (t: readonly (string | Token)[]): string => t.map((p) => (typeof p === 'string' ? p : `\u0000${p}\u0000`)).join('');
  return text(a) === text(b);
}
