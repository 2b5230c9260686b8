import { setTimeout as sleep } from 'node:timers/promises';
import { isContextLengthError, type CompletionResult, type PolicyClient, type PpmClient, type SandboxClient, type SandboxRunResult } from '@rstar/clients';
import {
  cumulativeProgram,
  formatOutput,
  outputDelta,
  parseStep,
  renderStep,
  GENERATION_STOPS,
  stepIdentity,
  textIdentity,
  type ParsedStep,
} from '@rstar/step-format';
import { ppmToValue } from './evaluators.js';
import type { SearchConfig } from './search-config.js';
import type { SearchNode } from './search-node.js';
import type { NewNode, SearchTree } from './search-tree.js';
import { deriveSeed } from './seed.js';

export interface ExpansionOptions {
  /** Candidates to sample (n). */
  n: number;
  temperature: number;
  /** Drop candidates that repeat a sibling, and keep only the first answer (MCTS expansion). */
  dedupe: boolean;
}

/** Pauses before the retries of a program whose sandbox failed (the pool restarts dead runtimes meanwhile). */
const SANDBOX_RETRY_PAUSES_MS = [500, 2_000];

/** The sandbox kept failing for reasons of its own: the search stops rather than blame the policy's code. */
export class SandboxUnavailableError extends Error {
  override readonly name = 'SandboxUnavailableError';
}

/** What a search has spent so far. */
export interface SearchStats {
  policyRequests: number;
  promptTokens: number;
  completionTokens: number;
  sandboxRuns: number;
  sandboxCacheHits: number;
  ppmCalls: number;
}

export function emptyStats(): SearchStats {
  return { policyRequests: 0, promptTokens: 0, completionTokens: 0, sandboxRuns: 0, sandboxCacheHits: 0, ppmCalls: 0 };
}

export interface StepExpanderDeps {
  policy: PolicyClient;
  sandbox: SandboxClient;
  /** With a PPM, each new child gets the PPM's score as its first value (PPM-augmented MCTS). */
  ppm?: PpmClient | null;
}

/**
 * Expands a node: samples candidate next steps from the policy, parses them, runs each step's cumulative
 * program in the sandbox, and applies the terminal rules (answer, consecutive code errors, a repeated step,
 * max depth).
 * Shared by MCTS, greedy, best-of-N and beam search.
 */
export class StepExpander {
  readonly stats: SearchStats = emptyStats();
  private requestCount = 0;

  constructor(
    private readonly deps: StepExpanderDeps,
    private readonly config: SearchConfig,
  ) {}

  /** Expands one node; returns its new children. */
  async expand(tree: SearchTree, node: SearchNode, options: ExpansionOptions, signal?: AbortSignal): Promise<SearchNode[]> {
    const [children] = await this.expandMany(tree, [node], options, signal);
    return children ?? [];
  }

  /**
   * Expands several nodes concurrently (their requests reach the model server together). Children are added
   * in the order of `nodes`, whatever order the requests finish in, so node ids stay deterministic.
   */
  async expandMany(tree: SearchTree, nodes: readonly SearchNode[], options: ExpansionOptions, signal?: AbortSignal): Promise<SearchNode[][]> {
    const sampled = await Promise.all(nodes.map((node) => this.sample(tree, node, options, signal)));
    const created = nodes.map((node, i) => (sampled[i] ?? []).map((fields) => tree.addChild(node, fields)));
    if (this.deps.ppm) {
      for (const [i, children] of created.entries()) if (children.length > 0) await this.scoreWithPpm(tree, nodes[i] as SearchNode, children, signal);
    }
    return created;
  }

  /** Samples candidate steps for a node and executes them, without touching the tree. */
  private async sample(tree: SearchTree, node: SearchNode, options: ExpansionOptions, signal?: AbortSignal): Promise<NewNode[]> {
    // Counted before the first await, so seeds follow the order in which expansions are started.
    const seed = deriveSeed(this.config.seed, node.id, this.requestCount++);
    const request = {
      prompt: tree.prompt(node),
      n: options.n,
      temperature: options.temperature,
      topP: this.config.topP,
      maxTokens: this.config.maxStepTokens,
      stop: [...GENERATION_STOPS],
      includeStopStrInOutput: true,
      seed,
    };
    let result: CompletionResult;
    try {
      result = await this.deps.policy.complete(request, signal);
    } catch (error) {
      if (!isContextLengthError(error)) throw error;
      // The trajectory no longer fits the model: it ends here (-1, not backed up), the rest of the search goes on.
      node.terminal = true;
      node.terminalReason = 'context_full';
      return [];
    }
    this.stats.policyRequests += 1;
    this.stats.promptTokens += result.usage.promptTokens;
    this.stats.completionTokens += result.usage.completionTokens;

    const steps = result.choices.map((c) => parseStep(c.text, c.finishReason === 'stop' ? c.stopReason : null));
    const kept = options.dedupe ? dedupeCandidates(steps) : steps;
    const path = tree.path(node);
    return Promise.all(kept.map((step) => this.execute(path, step, signal)));
  }

  /** Runs the step's cumulative program and decides whether the step ends its trajectory. */
  private async execute(path: readonly SearchNode[], step: ParsedStep, signal?: AbortSignal): Promise<NewNode> {
    const parent = path[path.length - 1] as SearchNode;
    const depth = parent.depth + 1;
    const base: NewNode = {
      step,
      rendered: step.text,
      stdout: parent.stdout,
      output: null,
      errorKind: null,
      executed: false,
      cached: false,
      consecutiveErrors: parent.consecutiveErrors,
      terminal: false,
      terminalReason: null,
      ppmScore: null,
    };
    if (step.kind === 'answer') return { ...base, terminal: true, terminalReason: 'answer' };

    let fields: NewNode;
    if (step.kind === 'truncated') {
      fields = { ...base, errorKind: 'truncated', output: 'the step hit its token limit', consecutiveErrors: parent.consecutiveErrors + 1 };
    } else {
      // Steps whose code failed stay out of the program: the trajectory goes on from the code that ran.
      const program = cumulativeProgram([...path.slice(1).filter((n) => n.errorKind === null).map((n) => n.step as ParsedStep), step]);
      const run = await this.runProgram(program, signal);
      if (run.cached) this.stats.sandboxCacheHits += 1;
      if (run.ok) {
        const shown = formatOutput(step.kind === 'final_code' ? run.stdout : outputDelta(parent.stdout, run.stdout));
        fields = {
          ...base,
          executed: true,
          cached: run.cached,
          stdout: run.stdout,
          output: shown,
          consecutiveErrors: 0,
          rendered: renderStep(step, formatOutput(run.stdout)),
        };
      } else {
        const message = run.errorMessage || run.errorKind || 'error';
        fields = {
          ...base,
          executed: true,
          cached: run.cached,
          errorKind: run.errorKind ?? 'internal',
          output: message,
          consecutiveErrors: parent.consecutiveErrors + 1,
          // The model sees why its step failed, so a sibling or a child can do better.
          rendered: `${step.text}\n<output>${formatOutput(message)}<end_of_output>\n`,
        };
      }
    }
    if (fields.consecutiveErrors >= this.config.maxConsecutiveErrors) return { ...fields, terminal: true, terminalReason: 'code_errors' };
    if (this.config.endOnRepeatedStep && repeatsEarlierStep(path, step)) return { ...fields, terminal: true, terminalReason: 'repeated_step' };
    // METHOD.md §3: a step deeper than maxDepth ends the trajectory (an answer ends it at any depth).
    if (depth > this.config.maxDepth) return { ...fields, terminal: true, terminalReason: 'max_depth' };
    return fields;
  }

  /**
   * Runs a program; a failure of the sandbox itself (`internal`: a runtime that died, none running) is not the
   * step's fault, so it is retried after a pause, and when it persists the search fails rather than score the step.
   */
  private async runProgram(program: string, signal?: AbortSignal): Promise<SandboxRunResult> {
    for (let attempt = 0; ; attempt++) {
      const run = await this.deps.sandbox.run(program, signal);
      this.stats.sandboxRuns += 1;
      if (run.errorKind !== 'internal') return run;
      const pause = SANDBOX_RETRY_PAUSES_MS[attempt];
      if (pause === undefined) throw new SandboxUnavailableError(`the sandbox failed ${attempt + 1} times: ${run.errorMessage}`);
      await sleep(pause, undefined, { signal });
    }
  }

  private async scoreWithPpm(tree: SearchTree, parent: SearchNode, children: SearchNode[], signal?: AbortSignal): Promise<void> {
    const ppm = this.deps.ppm as PpmClient;
    const prefix = tree.path(parent).slice(1).map((n) => n.rendered);
    const raw = await ppm.score(tree.question, children.map((c) => [...prefix, c.rendered]), signal);
    this.stats.ppmCalls += 1;
    // A score missing (or not a number) is the PPM server's fault: read as 0 it would steer the search unseen.
    if (raw.length !== children.length || raw.some((r) => !Number.isFinite(r))) {
      throw new Error(`the PPM returned ${raw.length} scores for ${children.length} steps${raw.some((r) => !Number.isFinite(r)) ? ', some not numbers' : ''}`);
    }
    children.forEach((child, i) => {
      child.ppmScore = ppmToValue(raw[i] as number);
    });
  }
}

/** Whether a step says again what an earlier step of its trajectory said: the same reasoning, or the same text. */
export function repeatsEarlierStep(path: readonly SearchNode[], step: ParsedStep): boolean {
  const reasoning = textIdentity(step.reasoning);
  const identity = stepIdentity(step);
  return path.some((node) => {
    if (node.step === null) return false;
    return (reasoning !== '' && textIdentity(node.step.reasoning) === reasoning) || stepIdentity(node.step) === identity;
  });
}

/** Drops candidates that repeat an earlier one and keeps only the first answer (METHOD.md §3, expansion). */
export function dedupeCandidates(steps: readonly ParsedStep[]): ParsedStep[] {
  const seen = new Set<string>();
  let answerKept = false;
  const kept: ParsedStep[] = [];
  for (const step of steps) {
    const id = stepIdentity(step);
    if (seen.has(id)) continue;
    if (step.kind === 'answer') {
      if (answerKept) continue;
      answerKept = true;
    }
    seen.add(id);
    kept.push(step);
  }
  return kept;
}
