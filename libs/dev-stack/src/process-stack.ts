import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** One process of the stack: how to start it and how to know it is ready. */
export interface ServiceSpec {
  name: string;
  command: string[];
  env: Record<string, string>;
  /** Polled until it answers 2xx. */
  readyUrl: string;
  /** How long start-up may take (a model load is slow on a CPU). */
  readyTimeoutMs?: number;
}

export class StackError extends Error {
  constructor(
    readonly service: string,
    message: string,
  ) {
    super(`${service}: ${message}`);
    this.name = 'StackError';
  }
}

export interface ProcessStackOptions {
  /** Logs and pid files go to <dir>/<service>.log|.pid. */
  dir: string;
  /** Detached processes outlive this one (tools/dev up); attached ones are children of the test. */
  detached: boolean;
  onStatus?: (message: string) => void;
}

/**
 * Starts services as processes and waits until each is ready; stops them with SIGTERM (SIGKILL after a grace
 * period). The pid files let a later `down` stop what an earlier `up` started.
 */
export class ProcessStack {
  private readonly children = new Map<string, ChildProcess>();

  constructor(private readonly options: ProcessStackOptions) {
    mkdirSync(options.dir, { recursive: true });
  }

  logFile(name: string): string {
    return join(this.options.dir, `${name}.log`);
  }

  private pidFile(name: string): string {
    return join(this.options.dir, `${name}.pid`);
  }

  /** The pid of a running service this stack (or an earlier one on the same dir) started. */
  pid(name: string): number | null {
    const file = this.pidFile(name);
    if (!existsSync(file)) return null;
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 && isAlive(pid) ? pid : null;
  }

  async start(spec: ServiceSpec): Promise<number> {
    const running = this.pid(spec.name);
    if (running !== null) throw new StackError(spec.name, `already running (pid ${running}); stop it first`);
    const [cmd, ...args] = spec.command;
    if (!cmd) throw new StackError(spec.name, 'empty command');
    this.options.onStatus?.(`starting ${spec.name}`);
    const log = openSync(this.logFile(spec.name), 'a');
    const child = spawn(cmd, args, {
      env: { ...process.env, ...spec.env },
      stdio: ['ignore', log, log],
      detached: this.options.detached,
    });
    closeSync(log);
    if (child.pid === undefined) throw new StackError(spec.name, `cannot start ${cmd}`);
    if (this.options.detached) child.unref();
    this.children.set(spec.name, child);
    writeFileSync(this.pidFile(spec.name), `${child.pid}\n`);
    await this.waitReady(spec, child.pid);
    this.options.onStatus?.(`${spec.name} ready`);
    return child.pid;
  }

  private async waitReady(spec: ServiceSpec, pid: number): Promise<void> {
    const deadline = Date.now() + (spec.readyTimeoutMs ?? 60_000);
    let last = 'no answer yet';
    while (Date.now() < deadline) {
      if (!isAlive(pid)) throw new StackError(spec.name, `exited during start-up:\n${this.tail(spec.name)}`);
      try {
        const res = await fetch(spec.readyUrl, { signal: AbortSignal.timeout(2000) });
        if (res.ok) return;
        last = `${res.status} ${await res.text()}`;
      } catch (error) {
        last = error instanceof Error ? error.message : String(error);
      }
      await sleep(250);
    }
    throw new StackError(spec.name, `not ready within ${Math.round((spec.readyTimeoutMs ?? 60_000) / 1000)} s (${spec.readyUrl}: ${last}); log ${this.logFile(spec.name)}:\n${this.tail(spec.name)}`);
  }

  /** The last lines of a service's log, for error messages. */
  tail(name: string, lines = 15): string {
    const file = this.logFile(name);
    return existsSync(file) ? readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n') : '(no log)';
  }

  /** Sends `signal` at once (SIGKILL simulates a crash); resolves when the process is gone. */
  async kill(name: string, signal: NodeJS.Signals = 'SIGKILL', timeoutMs = 10_000): Promise<void> {
    const pid = this.pid(name);
    if (pid === null) return;
    process.kill(pid, signal);
    const deadline = Date.now() + timeoutMs;
    while (isAlive(pid) && Date.now() < deadline) await sleep(100);
    if (isAlive(pid)) throw new StackError(name, `still running ${timeoutMs} ms after ${signal}`);
    rmSync(this.pidFile(name), { force: true });
    this.children.delete(name);
  }

  /** Graceful stop: SIGTERM, then SIGKILL after `graceMs`. */
  async stop(name: string, graceMs = 30_000): Promise<void> {
    const pid = this.pid(name);
    if (pid === null) {
      rmSync(this.pidFile(name), { force: true });
      return;
    }
    this.options.onStatus?.(`stopping ${name}`);
    try {
      await this.kill(name, 'SIGTERM', graceMs);
    } catch {
      await this.kill(name, 'SIGKILL');
    }
  }

  /** Stops the named services in the order given (dependents first). */
  async stopAll(names: string[], graceMs?: number): Promise<void> {
    for (const name of names) await this.stop(name, graceMs);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    // A zombie child still answers signal 0: read its state.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return false;
  }
}
