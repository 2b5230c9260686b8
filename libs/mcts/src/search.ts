import { problemPrompt } from '@rstar/step-format';
import { selectAnswerNode } from './answer-selection.js';
import type { TerminalEvaluator } from './evaluators.js';
import type { SearchConfig, SearchMethod } from './search-config.js';
import { nodeAnswer, qValue, type SearchNode, type TerminalReason } from './search-node.js';
import { SearchTree } from './search-tree.js';
import { StepExpander, type SearchStats, type StepExpanderDeps } from './step-expander.js';
import { selectChild } from './uct.js';

export interface SearchDeps extends StepExpanderDeps {
  evaluator: TerminalEvaluator;
}

export interface SearchProgress {
  /** Rollouts (MCTS), trajectories (best-of-N) or depths (greedy, beam) done, of `total`. */
  done: number;
  total: number;
  bestAnswer: string | null;
  bestQ: number | null;
}

export interface SearchRunOptions {
  onProgress?: (progress: SearchProgress) => void;
  signal?: AbortSignal;
}

export interface SearchResult {
  method: SearchMethod;
  config: SearchConfig;
  tree: SearchTree;
  answer: string | null;
  answerNodeId: number | null;
  answerQ: number | null;
  /** Rollouts or trajectories completed. */
  rollouts: number;
  evaluator: string;
  stats: SearchStats;
  elapsedMs: number;
}

/** What a search reports its progress against: rollouts (MCTS), trajectories (best-of-N), 1 (greedy) or depths (beam). */
export function progressTotal(config: SearchConfig): number {
  switch (config.method) {
    case 'greedy':
      return 1;
    case 'beam':
      return config.maxDepth + 1; // a step deeper than maxDepth still ends its beam
    case 'mcts':
    case 'best-of-n':
      return config.rollouts;
  }
}

/** Runs one search over one problem with the configured method. */
export async function runSearch(question: string, config: SearchConfig, deps: SearchDeps, options: SearchRunOptions = {}): Promise<SearchResult> {
  const started = performance.now();
  const tree = new SearchTree(question, problemPrompt(question, config.promptStyle));
  const run = new SearchRun(tree, config, new StepExpander(deps, config), deps.evaluator, options);
  const rollouts = await run.execute();
  const best = selectAnswerNode(tree);
  return {
    method: config.method,
    config,
    tree,
    answer: best ? nodeAnswer(best) : null,
    answerNodeId: best?.id ?? null,
    answerQ: best ? qValue(best) : null,
    rollouts,
    evaluator: deps.evaluator.name,
    stats: run.expander.stats,
    elapsedMs: performance.now() - started,
  };
}

class SearchRun {
  constructor(
    readonly tree: SearchTree,
    readonly config: SearchConfig,
    readonly expander: StepExpander,
    readonly evaluator: TerminalEvaluator,
    readonly options: SearchRunOptions,
  ) {}

  execute(): Promise<number> {
    switch (this.config.method) {
      case 'mcts':
        return this.mcts();
      case 'greedy':
        return this.greedy();
      case 'best-of-n':
        return this.bestOfN();
      case 'beam':
        return this.beam();
    }
  }

  /**
   * METHOD.md §3: each rollout descends from the root by UCT, expanding the leaf it reaches and going on
   * until no step is left to take. New terminal children are scored at once: answers are evaluated and
   * backed up; failed trajectories get -1 on their last node alone.
   */
  private async mcts(): Promise<number> {
    const { tree, config } = this;
    const width = { n: config.width, temperature: config.temperature, dedupe: true };
    let rollouts = 0;
    while (rollouts < config.rollouts && !tree.root.terminal) {
      this.options.signal?.throwIfAborted();
      const path: SearchNode[] = [tree.root];
      let node = tree.root;
      for (;;) {
        if (node.childIds.length === 0) {
          const children = await this.expander.expand(tree, node, width, this.options.signal);
          if (children.length === 0) {
            markTerminal(node, 'no_candidates');
            await this.finishTrajectory(path);
            break;
          }
          for (const child of children) if (child.terminal) await this.finishTrajectory([...path, child]);
        }
        const next = selectChild(tree.children(node), node.visits, config.cPuct, config.unvisited);
        if (!next) {
          // Every child has ended: so has this node (the reference's rule).
          markTerminal(node, 'exhausted');
          break;
        }
        node = next;
        path.push(node);
      }
      this.propagateExhaustion(path);
      rollouts += 1;
      this.report(rollouts, progressTotal(config));
    }
    return rollouts;
  }

  /** Ancestors whose children have all ended end too, so the next rollout does not descend into them. */
  private propagateExhaustion(path: readonly SearchNode[]): void {
    for (let i = path.length - 1; i >= 0; i--) {
      const node = path[i] as SearchNode;
      if (node.terminal) continue;
      const children = this.tree.children(node);
      if (children.length === 0 || children.some((c) => !c.terminal)) break;
      markTerminal(node, 'exhausted');
    }
  }

  /** One trajectory, the most likely step each time. */
  private async greedy(): Promise<number> {
    const path = [this.tree.root];
    let node = this.tree.root;
    while (!node.terminal) {
      const [child] = await this.expander.expand(this.tree, node, { n: 1, temperature: 0, dedupe: false }, this.options.signal);
      if (!child) {
        markTerminal(node, 'no_candidates');
        break;
      }
      node = child;
      path.push(node);
    }
    await this.finishTrajectory(path);
    this.report(1, progressTotal(this.config));
    return 1;
  }

  /** N sampled trajectories; the evaluator (PPM, or agreement between answers) picks the best. */
  private async bestOfN(): Promise<number> {
    const { tree, config } = this;
    const firsts = await this.expander.expand(tree, tree.root, { n: config.rollouts, temperature: config.temperature, dedupe: false }, this.options.signal);
    const active = firsts.map((child) => [tree.root, child]);
    // Depth by depth, so that node ids and seeds do not depend on which request finishes first.
    for (;;) {
      const open = active.filter((p) => !(p[p.length - 1] as SearchNode).terminal);
      if (open.length === 0) break;
      const next = await this.expander.expandMany(tree, open.map((p) => p[p.length - 1] as SearchNode), { n: 1, temperature: config.temperature, dedupe: false }, this.options.signal);
      open.forEach((p, i) => {
        const child = next[i]?.[0];
        if (child) p.push(child);
        else markTerminal(p[p.length - 1] as SearchNode, 'no_candidates');
      });
      this.report(active.filter((p) => (p[p.length - 1] as SearchNode).terminal).length, progressTotal(config));
    }
    let done = 0;
    for (const path of active) {
      await this.finishTrajectory(path);
      this.report(++done, progressTotal(config));
    }
    return done;
  }

  /** Step-level beam search: at each depth keep the `beamWidth` best steps (PPM score; else steps that ran). */
  private async beam(): Promise<number> {
    const { tree, config } = this;
    let beams: SearchNode[] = [tree.root];
    const finished: SearchNode[][] = [];
    let depth = 0;
    while (beams.length > 0) {
      this.options.signal?.throwIfAborted();
      const expanded = await this.expander.expandMany(tree, beams, { n: config.width, temperature: config.temperature, dedupe: true }, this.options.signal);
      beams.forEach((beam, i) => {
        if ((expanded[i] ?? []).length > 0) return;
        markTerminal(beam, 'no_candidates');
        finished.push(tree.path(beam));
      });
      const candidates = expanded.flat();
      for (const c of candidates) if (c.terminal) finished.push(tree.path(c));
      beams = candidates
        .filter((c) => !c.terminal)
        .map((c, order) => ({ c, order, score: stepScore(c) }))
        .sort((a, b) => b.score - a.score || a.order - b.order)
        .slice(0, config.beamWidth)
        .map((x) => x.c);
      this.report(++depth, progressTotal(config));
    }
    for (const path of finished) await this.finishTrajectory(path);
    return finished.length;
  }

  /**
   * Scores the trajectory's end: an answer is evaluated and backed up (an answer that could not be scored stays
   * unscored, reward null); a failed trajectory gets -1 alone.
   */
  private async finishTrajectory(path: SearchNode[]): Promise<void> {
    const leaf = path[path.length - 1] as SearchNode;
    if (leaf.terminalReason === 'answer') {
      const value = await this.evaluator.evaluate(leaf, this.tree);
      if (value === null) return;
      leaf.reward = value;
      this.tree.backup(path, value);
    } else if (leaf.terminalReason !== null && FAILED_ENDS.has(leaf.terminalReason) && leaf.reward === null) {
      leaf.reward = -1;
      leaf.visits = 1;
      leaf.valueSum = -1;
    }
  }

  private report(done: number, total: number): void {
    if (!this.options.onProgress) return;
    const best = selectAnswerNode(this.tree);
    this.options.onProgress({ done, total, bestAnswer: best ? nodeAnswer(best) : null, bestQ: best ? qValue(best) : null });
  }
}

/** Trajectories that end without an answer: the leaf gets -1, not backed up (METHOD.md §3). */
const FAILED_ENDS: ReadonlySet<TerminalReason> = new Set(['code_errors', 'repeated_step', 'max_depth', 'context_full', 'no_candidates']);

/** Ends a node; a reason it was already given (its prompt outgrew the context) stands. */
function markTerminal(node: SearchNode, reason: 'exhausted' | 'no_candidates'): void {
  if (node.terminal) return;
  node.terminal = true;
  node.terminalReason = reason;
}

/** A step's score for beam search: its PPM score when there is one; otherwise 0 if its code ran, -1 if not. */
function stepScore(node: SearchNode): number {
  if (node.ppmScore !== null) return node.ppmScore;
  return node.errorKind === null ? 0 : -1;
}
