import type { GraderClient, PolicyClient, SandboxClient } from '@rstar/clients';
import {
  AnswerGrouper,
  chooseTerminalEvaluator,
  runSearch,
  toSearchReport,
  voteAcrossTrees,
  type NodeReport,
  type SearchConfig,
  type SearchReport,
} from '@rstar/mcts';
import type { ProblemRecord } from './problem-file.js';

export const EVAL_METHODS = ['greedy', 'maj@k', 'best-of-n', 'beam', 'mcts'] as const;
export type EvalMethod = (typeof EVAL_METHODS)[number];

/** What is run on every problem: the method, its sample count (maj@k) and the search options. */
export interface MethodPlan {
  method: EvalMethod;
  /** Samples voted on by maj@k; unused by the other methods. */
  k: number;
  search: SearchConfig;
}

/**
 * The search config a method runs with. greedy decodes at temperature 0 whatever was asked (so the recorded
 * options say what ran); maj@k is k independent trajectories sampled at the configured temperature, which is
 * best-of-N with N = k, voted on afterwards.
 */
export function methodSearchConfig(plan: MethodPlan): SearchConfig {
  switch (plan.method) {
    case 'greedy':
      return { ...plan.search, method: 'greedy', temperature: 0 };
    case 'maj@k':
      return { ...plan.search, method: 'best-of-n', rollouts: plan.k };
    case 'best-of-n':
    case 'beam':
    case 'mcts':
      return { ...plan.search, method: plan.method };
  }
}

/** A step of the chosen trajectory, in the shape the SFT records use. */
export interface TraceStep {
  text: string;
  output: string | null;
  q: number | null;
  visits: number | null;
}

export interface ProblemOutcome {
  answer: string | null;
  correct: boolean;
  /** Q of the chosen answer's node. */
  q: number | null;
  /** maj@k: each group of equivalent answers and its votes. */
  votes: { answer: string; members: number }[] | null;
  steps: TraceStep[];
  /** Tokens as the policy server reported them (its `usage`). */
  tokens: { prompt: number; completion: number };
  policyRequests: number;
  elapsedMs: number;
}

export interface SolveDeps {
  policy: PolicyClient;
  sandbox: SandboxClient;
  grader: GraderClient;
}

/**
 * Solves one problem with the planned method and grades the answer against the reference. The reference never
 * reaches the search: the terminal evaluator is the inference one (agreement between answers, or a PPM).
 */
export async function solveProblem(record: ProblemRecord, plan: MethodPlan, deps: SolveDeps, signal?: AbortSignal): Promise<ProblemOutcome> {
  const started = performance.now();
  const grouper = new AnswerGrouper(deps.grader);
  const evaluator = chooseTerminalEvaluator({ grader: deps.grader, reference: null, ppm: null, grouper });
  const config = methodSearchConfig(plan);
  const report = toSearchReport(await runSearch(record.problem, config, { policy: deps.policy, sandbox: deps.sandbox, evaluator }, signal ? { signal } : {}));
  let answer = report.answer;
  let chosen = report.answerNodeId;
  let votes: ProblemOutcome['votes'] = null;
  if (plan.method === 'maj@k') {
    const answered = report.nodes.filter((n) => n.terminalReason === 'answer' && n.answer !== null);
    const vote = await voteAcrossTrees(
      answered.map((n) => ({ answer: n.answer as string, score: n.q })),
      grouper,
      'majority',
    );
    answer = vote?.answer ?? null;
    chosen = vote ? (answered[vote.best]?.id ?? null) : null;
    votes = vote ? vote.groups.map((g) => ({ answer: g.answer, members: g.members })) : [];
  }
  const reference = record.answer ?? '';
  const correct = answer === null ? false : (await deps.grader.grade(answer, reference)).equivalent;
  const node = chosen === null ? undefined : report.nodes[chosen];
  return {
    answer,
    correct,
    q: node?.q ?? null,
    votes,
    steps: trajectorySteps(report, chosen),
    tokens: { prompt: report.stats.promptTokens, completion: report.stats.completionTokens },
    policyRequests: report.stats.policyRequests,
    elapsedMs: Math.round(performance.now() - started),
  };
}

/**
 * The steps from the root to `nodeId`. With no answer, the last node created stands in (for greedy, the one
 * trajectory tried), so a wrong run still shows what the model wrote.
 */
export function trajectorySteps(report: SearchReport, nodeId: number | null): TraceStep[] {
  const byId = new Map(report.nodes.map((n) => [n.id, n]));
  let node: NodeReport | undefined = nodeId === null ? report.nodes[report.nodes.length - 1] : byId.get(nodeId);
  const path: NodeReport[] = [];
  while (node && node.parentId !== null) {
    path.push(node);
    node = byId.get(node.parentId);
  }
  return path.reverse().map((n) => ({ text: n.text, output: n.output, q: n.q, visits: n.visits }));
}
