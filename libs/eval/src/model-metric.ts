import { describeSelection } from './benchmarks.js';
import type { EvalReport } from './eval-report.js';

/**
 * What a finished evaluation adds to the evaluated model's `metadata.json`, at `metrics.<benchmark>.<method>`
 * (`metrics.gsm8k.greedy` is what `rstar solve` ranks trained policies by).
 */
export interface ModelMetric {
  accuracy: number;
  correct: number;
  problems: number;
  ci95: { low: number; high: number };
  /** "gsm8k, first 200" */
  benchmark: string;
  command: string | null;
  evaluatedAt: string;
}

export interface MeasuredModelMetric {
  path: [benchmark: string, method: string];
  metric: ModelMetric;
}

/**
 * Where and what a report records in the model's metrics; null for a partial run (its accuracy is not the
 * benchmark's). Problems filtered by solution lines are another benchmark (`gsm8k-lines2`), and maj@k keeps its k.
 */
export function modelMetric(report: EvalReport): MeasuredModelMetric | null {
  if (!report.complete || report.accuracy === null) return null;
  const lines = report.selection.solutionLines;
  const benchmark = lines === null ? report.benchmark.name : `${report.benchmark.name}-lines${lines}`;
  const k = report.options['k'];
  const method = report.method === 'maj@k' && typeof k === 'number' ? `maj@${k}` : report.method;
  const selection = describeSelection(report.selection);
  return {
    path: [benchmark, method],
    metric: {
      accuracy: report.accuracy,
      correct: report.correct,
      problems: report.solved,
      ci95: { low: report.ci95.low, high: report.ci95.high },
      benchmark: `${report.benchmark.name}${selection ? `, ${selection}` : ''}`,
      command: report.command,
      evaluatedAt: report.timing.finishedAt,
    },
  };
}
