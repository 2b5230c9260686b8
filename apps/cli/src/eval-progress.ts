import type { EvalProgress } from '@rstar/eval';
import cliProgress from 'cli-progress';

/** Progress of an evaluation on stderr: a bar with the running accuracy and ETA on a terminal, a line per problem otherwise. */
export class EvalProgressBar {
  private bar: cliProgress.SingleBar | null = null;

  constructor(
    private readonly enabled: boolean,
    private readonly label: string,
  ) {}

  update(p: EvalProgress): void {
    if (!this.enabled) return;
    const accuracy = p.done === 0 ? '-' : `${p.correct}/${p.done} = ${((100 * p.correct) / p.done).toFixed(1)}%`;
    if (!process.stderr.isTTY) {
      if (p.last) {
        const verdict = p.last.correct ? '✓' : `✗ (expected ${p.last.reference})`;
        process.stderr.write(`${p.done}/${p.total} ${p.last.id}: ${p.last.answer ?? '(no answer)'} ${verdict} · ${(p.last.elapsedMs / 1000).toFixed(1)} s · accuracy ${accuracy}\n`);
      } else if (p.done > 0) {
        process.stderr.write(`${p.done}/${p.total} finished in an earlier run · accuracy ${accuracy}\n`);
      }
      return;
    }
    if (!this.bar) {
      this.bar = new cliProgress.SingleBar(
        { format: `${this.label} {bar} {value}/{total} · accuracy {accuracy} · ETA {eta_formatted} · {duration_formatted}`, hideCursor: true, clearOnComplete: false, stream: process.stderr, etaBuffer: 20 },
        cliProgress.Presets.shades_classic,
      );
      this.bar.start(p.total, p.done, { accuracy });
    }
    this.bar.update(p.done, { accuracy });
  }

  stop(): void {
    this.bar?.stop();
    this.bar = null;
  }
}
