import type { SolveJobRecord } from '@rstar/persistence';
import pc from 'picocolors';
import { formatTable } from './table-printer.js';

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** Local time to the second: "2025-06-01 14:03:59". */
export function formatTime(d: Date): string {
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

/** One line of at most `width` characters: whitespace collapsed, an ellipsis where it was cut. */
export function excerpt(text: string, width: number): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length <= width ? line : `${line.slice(0, width - 1)}…`;
}

const fmtQ = (q: number | null): string => (q === null ? '-' : q.toFixed(2));

const STATUS_COLOR: Record<SolveJobRecord['status'], (s: string) => string> = {
  queued: pc.dim,
  running: pc.cyan,
  succeeded: pc.green,
  failed: pc.red,
};

/** `rstar jobs list`: one row per job, in the order given (the store's: newest first). */
export function formatJobTable(jobs: readonly SolveJobRecord[], total: number): string {
  if (jobs.length === 0) return pc.dim('No jobs.');
  const rows = jobs.map((j) => [
    j.id,
    j.status,
    formatTime(j.createdAt),
    excerpt(j.answer ?? j.bestAnswer ?? '-', 14),
    fmtQ(j.answerQ ?? j.bestQ),
    `${j.rolloutsDone}/${j.rolloutsTotal}`,
    excerpt(j.question, 50),
  ]);
  const head = ['ID', 'STATUS', 'CREATED', 'ANSWER', 'Q', 'ROLLOUTS', 'QUESTION'];
  const out = [formatTable(head, rows, (i, c, s) => (c === 1 ? (STATUS_COLOR[jobs[i]?.status ?? 'queued'] ?? pc.dim)(s) : s))];
  if (total > jobs.length) out.push(pc.dim(`(${jobs.length} of ${total} jobs; --limit for more)`));
  return out.join('\n');
}

/** `rstar jobs show`: what the job asked, how it ran and what it found. */
export function formatJobDetails(job: SolveJobRecord): string {
  const { config } = job;
  const timing = [
    `created ${formatTime(job.createdAt)}`,
    job.startedAt ? `started ${formatTime(job.startedAt)}` : null,
    job.finishedAt ? `finished ${formatTime(job.finishedAt)}` : null,
    job.elapsedMs === null ? null : `search ${(job.elapsedMs / 1000).toFixed(1)} s`,
  ].filter((s) => s !== null);
  const answer =
    job.answer !== null
      ? `${pc.bold(`\\boxed{${job.answer}}`)} (Q ${fmtQ(job.answerQ)})`
      : job.status === 'succeeded'
        ? pc.yellow('none found')
        : job.bestAnswer !== null
          ? `best so far ${job.bestAnswer} (Q ${fmtQ(job.bestQ)})`
          : '-';
  const rows: [string, string][] = [
    ['Job', job.id],
    ['Status', `${STATUS_COLOR[job.status](job.status)} (attempt ${job.attempts}${job.workerId ? `, worker ${job.workerId}` : ''})`],
    ['Time', timing.join(' · ')],
    ['Question', job.question],
    ...(job.referenceAnswer === null ? [] : [['Reference', job.referenceAnswer] as [string, string]]),
    ['Answer', answer],
    ['Search', `${config.method} · ${job.rolloutsDone}/${job.rolloutsTotal} rollouts · width ${config.width} · seed ${config.seed}${job.policyModel ? ` · policy ${job.policyModel}` : ''}`],
    ...(job.error === null ? [] : [['Error', pc.red(job.error)] as [string, string]]),
  ];
  return rows.map(([k, v]) => `${pc.dim(`${k}:`.padEnd(10))} ${v}`).join('\n');
}

/** The summary line of `rstar solve` naming the stored job(s); the chosen tree's first. Null when none was to be stored. */
export function formatJobIds(chosen: string | null, jobIds: readonly (string | null)[]): string | null {
  if (jobIds.length === 0) return null;
  const name = (id: string | null): string => id ?? pc.yellow('(not stored)');
  if (jobIds.length === 1) return `Job: ${name(chosen)}`;
  const others = jobIds.filter((id) => id === null || id !== chosen).map(name);
  return `Jobs: ${name(chosen)} (the chosen tree)${others.length > 0 ? `, ${others.join(', ')}` : ''}`;
}
