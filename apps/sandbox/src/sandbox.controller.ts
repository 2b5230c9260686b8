import { MessagePattern } from '@nestjs/microservices';
import { graderV1, RPC_SUBJECTS, sandboxV1 } from '@rstar/contracts';
import { MathVerifyGrader } from '@rstar/grader';
import { ContractPayload, gradeResultToProto, RpcController, RpcError, RpcErrorCode, runResultToProto } from '@rstar/messaging';
import { SandboxPool } from '@rstar/sandbox';
import { sandboxRpcError } from './sandbox-rpc-errors.js';

/** SandboxService and GraderService over NATS: programs run in the pool, answers are graded by math-verify. */
@RpcController(sandboxRpcError)
export class SandboxController {
  constructor(
    private readonly pool: SandboxPool,
    private readonly grader: MathVerifyGrader,
  ) {}

  @MessagePattern(RPC_SUBJECTS['SandboxService.Run'])
  async run(@ContractPayload(sandboxV1.RunRequest, 'RunRequest') message: sandboxV1.RunRequest): Promise<unknown> {
    // The pool's limits are fixed when its runtimes start; a request cannot loosen (or tighten) them.
    if (message.limits && Object.values(message.limits).some((v) => v !== 0)) {
      throw new RpcError(RpcErrorCode.INVALID_PAYLOAD, 'invalid RunRequest: limits are set by the sandbox service, leave them unset');
    }
    const result = await this.pool.run(message.code);
    return sandboxV1.RunResult.toJSON(runResultToProto(message.id, result));
  }

  @MessagePattern(RPC_SUBJECTS['GraderService.Grade'])
  async grade(@ContractPayload(graderV1.GradeRequest, 'GradeRequest') message: graderV1.GradeRequest): Promise<unknown> {
    if (message.timeoutS !== 0) {
      throw new RpcError(RpcErrorCode.INVALID_PAYLOAD, 'invalid GradeRequest: the grading budget is set by the service (RSTAR_GRADER_TIMEOUT_S), leave timeoutS unset');
    }
    const result = await this.grader.grade(message.answer, message.reference);
    return graderV1.GradeResult.toJSON(gradeResultToProto(message.id, result));
  }
}
