import { sandboxV1 } from '@rstar/contracts';
import { JsonLineProcess, type LineOutcome } from '@rstar/line-worker';
import type { RuntimeCommand } from './runtime-command.js';

/** How one request to a runtime ended. */
export type RuntimeOutcome = LineOutcome<sandboxV1.RunResult>;

export type StderrListener = (line: string) => void;

// A reply carries at most the output cap (as JSON, escapes can grow it sixfold) plus a message.
const MAX_LINE_CHARS = 2 ** 28;

/**
 * One sandbox runtime (bubblewrap running the Python fork server): writes RunRequest lines, reads RunResult
 * lines, one request at a time. Once it has exited, or broken the protocol, it stays dead. A forgotten
 * stop() does not keep Node alive; bubblewrap's --die-with-parent ends the sandbox then.
 */
export class RuntimeProcess extends JsonLineProcess<sandboxV1.RunRequest, sandboxV1.RunResult> {
  constructor(command: RuntimeCommand, onStderrLine?: StderrListener) {
    super({
      name: 'RuntimeProcess',
      command: command.command,
      args: command.args,
      encode: (request) => sandboxV1.RunRequest.toJSON(request),
      decode: (json) => sandboxV1.RunResult.fromJSON(json),
      replyName: 'RunResult',
      // A runtime that says anything unexpected cannot be trusted with the next program.
      strict: true,
      // The pool hands a program that never reached a runtime to another one.
      reportUnsent: true,
      maxLineChars: MAX_LINE_CHARS,
      onStderrLine,
    });
  }

  /** Ends the runtime: closes its stdin (it exits after its current run), kills it after `graceMs`. */
  stop(graceMs: number): Promise<void> {
    return this.close(graceMs);
  }
}
