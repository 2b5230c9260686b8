import { randomUUID } from 'node:crypto';
import { accessSync, constants } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** tmpfs when there is one: a snapshot is written and read back within one request. */
function snapshotDir(): string {
  try {
    accessSync('/dev/shm', constants.W_OK);
    return '/dev/shm';
  } catch {
    return tmpdir();
  }
}

const DIR = snapshotDir();

/**
 * The KV state of one prompt (all but its last token), saved by the first candidate of a request so its siblings can
 * load it into their sequences instead of evaluating the same prompt again. node-llama-cpp has no in-memory copy
 * between sequences, so the state goes through a file: measured 12 ms to save and 7 ms to load 700 tokens (16 MB),
 * against ~3 s to evaluate them on 2 cores.
 */
export class PromptSnapshot {
  readonly path = join(DIR, `rstar-kv-${process.pid}-${randomUUID()}.state`);
  /** Resolves true once the file holds the prompt state, false when there will be none. */
  readonly ready: Promise<boolean>;
  private settle: (saved: boolean) => void = () => undefined;
  private settled = false;

  constructor() {
    this.ready = new Promise<boolean>((resolve) => {
      this.settle = resolve;
    });
  }

  publish(saved: boolean): void {
    if (this.settled) return;
    this.settled = true;
    this.settle(saved);
  }

  async discard(): Promise<void> {
    this.publish(false);
    await rm(this.path, { force: true });
  }
}
