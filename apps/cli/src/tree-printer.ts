import { normaliseAnswer, type NodeReport, type SearchReport } from '@rstar/mcts';
import pc from 'picocolors';

const fmtQ = (q: number): string => (q >= 0 ? ` ${q.toFixed(2)}` : q.toFixed(2));
const indent = (text: string, pad = '    '): string =>
  text
    .split('\n')
    .map((l) => pad + l)
    .join('\n');

/** What the trajectory and tree printers read: a search's report, or a stored job's tree and answer. */
export type PrintedTree = Pick<SearchReport, 'nodes' | 'bestTrajectory' | 'answer'>;

/** The path to show: the best trajectory, or when no answer was found the deepest one. */
export function shownTrajectory(report: PrintedTree): NodeReport[] {
  const byId = new Map(report.nodes.map((n) => [n.id, n]));
  let ids = report.bestTrajectory;
  if (ids.length === 0) {
    const deepest = report.nodes.reduce((a, b) => (b.depth > a.depth ? b : a), report.nodes[0] as NodeReport);
    ids = [];
    for (let at: NodeReport | undefined = deepest; at; at = at.parentId === null ? undefined : byId.get(at.parentId)) ids.unshift(at.id);
  }
  return ids.map((id) => byId.get(id)).filter((n): n is NodeReport => n !== undefined && n.kind !== 'root');
}

/** The best trajectory as a person reads it: each step's reasoning, code, output, Q and visits, then the answer. */
export function formatTrajectory(report: PrintedTree): string {
  const lines: string[] = [];
  const steps = shownTrajectory(report);
  lines.push(
    report.answer === null
      ? pc.yellow(`No answer found; the deepest trajectory (${steps.length} steps):`)
      : pc.bold(`Best trajectory (${steps.length} steps):`),
  );
  steps.forEach((node, i) => {
    const head = node.kind === 'answer' ? 'Answer step' : `Step ${i + 1}`;
    lines.push(pc.cyan(`── ${head} · Q${fmtQ(node.q)} · N ${node.visits}${node.ppmScore === null ? '' : ` · PPM ${node.ppmScore.toFixed(2)}`} ──`));
    if (node.kind === 'answer') {
      lines.push(indent(node.reasoning || node.text.trim()));
      return;
    }
    if (node.reasoning) lines.push(indent(pc.dim(node.reasoning)));
    const code = node.code
      .split('\n')
      .filter((l) => !l.trim().startsWith('#'))
      .join('\n')
      .trim();
    if (code) lines.push(indent(code));
    if (node.errorKind) lines.push(indent(pc.red(`✗ ${node.errorKind}: ${node.output ?? ''}`)));
    else if (node.output) lines.push(indent(pc.green(`→ ${node.output}`)));
    else if (node.executed) lines.push(indent(pc.dim('→ (ran, printed nothing)')));
  });
  return lines.join('\n');
}

/** One line per node, indented by depth: the whole tree at a glance (`--show-tree`). */
export function formatTree(report: Pick<PrintedTree, 'nodes'>): string {
  return report.nodes
    .map((n) => {
      const first = (n.kind === 'answer' ? `answer ${n.answer ?? '(none)'}` : n.text.trim().split('\n').find((l) => l.trim()) ?? '').slice(0, 70);
      const status = n.errorKind ? pc.red(n.errorKind) : n.terminal ? pc.dim(n.terminalReason ?? '') : '';
      return `${'  '.repeat(n.depth)}#${n.id} ${n.kind} Q${fmtQ(n.q)} N ${n.visits} ${status} ${pc.dim(first)}`.trimEnd();
    })
    .join('\n');
}

/** The closing summary: the answer, its Q, and what the search spent. */
/** Self-consistency had nothing to agree with: a single trajectory reached this answer (answers compared as text). */
export function isUnverified(report: Pick<SearchReport, 'evaluator' | 'nodes'>, answer: string): boolean {
  if (report.evaluator !== 'consistency') return false;
  const wanted = normaliseAnswer(answer);
  return report.nodes.filter((n) => n.answer !== null && normaliseAnswer(n.answer) === wanted).length <= 1;
}

export function formatSummary(report: SearchReport, answer: string | null, reference: string | null, correct: boolean | null): string {
  const answers = report.nodes.filter((n) => n.answer !== null).length;
  const { stats } = report;
  const verdict = correct === null ? '' : correct ? pc.green(' ✓ correct') : pc.red(` ✗ expected ${reference ?? ''}`);
  const unverified = answer !== null && isUnverified(report, answer) ? pc.yellow(' unverified (one trajectory)') : '';
  const answerLine =
    answer === null ? pc.yellow('Answer: none found') : `${pc.bold('Answer:')} \\boxed{${answer}} (Q ${report.answerQ?.toFixed(2) ?? '-'})${unverified}${verdict}`;
  return [
    answerLine,
    pc.dim(
      `${report.method} · ${report.rollouts} rollouts · ${report.nodes.length} nodes · ${answers} answers · ` +
        `${stats.policyRequests} policy requests (${stats.completionTokens} tokens) · ` +
        `${stats.sandboxRuns} sandbox runs (${stats.sandboxCacheHits} cached) · ${(report.elapsedMs / 1000).toFixed(1)} s`,
    ),
  ].join('\n');
}
