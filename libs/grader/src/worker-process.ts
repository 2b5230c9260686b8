import { graderV1 } from '@rstar/contracts';
import { JsonLineProcess, type LineOutcome } from '@rstar/line-worker';

/** How one request to the worker ended. */
export type WorkerOutcome = Extract<LineOutcome<graderV1.GradeResult>, { kind: 'reply' | 'timeout' | 'exit' }>;

/**
 * One running `python -m rstar_grader.worker`: writes request lines, matches reply lines by id. One request
 * at a time (the worker is single-threaded; the caller queues). Once it has exited it stays dead.
 */
export class WorkerProcess extends JsonLineProcess<graderV1.GradeRequest, graderV1.GradeResult> {
  constructor(pythonPath: string) {
    // Lenient: the worker keeps stray prints on stderr, so a bad or unmatched line is a stale reply to drop.
    super({
      name: 'WorkerProcess',
      command: pythonPath,
      args: ['-m', 'rstar_grader.worker'],
      encode: (request) => graderV1.GradeRequest.toJSON(request),
      decode: (json) => graderV1.GradeResult.fromJSON(json),
      stderrOnStartError: true,
    });
  }

  /** Sends one request; settles on its reply, on the deadline, or when the worker dies. */
  override request(request: graderV1.GradeRequest, timeoutMs: number): Promise<WorkerOutcome> {
    return super.request(request, timeoutMs).then(toWorkerOutcome);
  }
}

function toWorkerOutcome(outcome: LineOutcome<graderV1.GradeResult>): WorkerOutcome {
  // Neither kind occurs without `strict` or `reportUnsent`; mapping them keeps the type honest without a cast.
  return outcome.kind === 'protocol' || outcome.kind === 'unsent' ? { kind: 'exit', reason: outcome.reason } : outcome;
}
