import type { SearchProgress } from '@rstar/mcts';
import cliProgress from 'cli-progress';

/** Progress of one search on stderr: a bar on a terminal, a line per rollout otherwise. */
export class SearchProgressBar {
  private bar: cliProgress.SingleBar | null = null;
  private lastLine = 0;

  constructor(
    private readonly enabled: boolean,
    private readonly label: string,
  ) {}

  update(p: SearchProgress): void {
    if (!this.enabled) return;
    const best = p.bestAnswer === null ? '-' : `${p.bestAnswer.slice(0, 24)} (Q ${p.bestQ?.toFixed(2) ?? '-'})`;
    if (!process.stderr.isTTY) {
      if (p.done !== this.lastLine) process.stderr.write(`${this.label} ${p.done}/${p.total} · best ${best}\n`);
      this.lastLine = p.done;
      return;
    }
    if (!this.bar) {
      this.bar = new cliProgress.SingleBar(
        { format: `${this.label} {bar} {value}/{total} · best {best} · {duration_formatted}`, hideCursor: true, clearOnComplete: false, stream: process.stderr },
        cliProgress.Presets.shades_classic,
      );
      this.bar.start(p.total, 0, { best });
    }
    this.bar.setTotal(p.total);
    this.bar.update(p.done, { best });
  }

  stop(): void {
    this.bar?.stop();
    this.bar = null;
  }
}

/** A status line on stderr (model loading, server start), suppressed with the progress display. */
export function status(enabled: boolean, message: string): void {
  if (enabled) process.stderr.write(`${message}\n`);
}
