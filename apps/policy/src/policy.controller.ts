import { MessagePattern } from '@nestjs/microservices';
import { OpenAiCompletionsClient } from '@rstar/clients';
import { policyV1, RPC_SUBJECTS } from '@rstar/contracts';
import { completionRequestFromProto, completionResultToProto, ContractPayload, RpcController, RpcError, RpcErrorCode } from '@rstar/messaging';
import { completionRequestProblems } from './complete-request.js';
import { PolicyConfig } from './policy.config.js';

/** PolicyService over NATS: each request goes to the model server as one `/v1/completions` call. */
@RpcController()
export class PolicyController {
  constructor(
    private readonly policy: OpenAiCompletionsClient,
    private readonly config: PolicyConfig,
  ) {}

  @MessagePattern(RPC_SUBJECTS['PolicyService.Complete'])
  async complete(@ContractPayload(policyV1.CompleteRequest, 'CompleteRequest') message: policyV1.CompleteRequest): Promise<unknown> {
    const request = completionRequestFromProto(message);
    const problems = completionRequestProblems(request, this.config.RSTAR_POLICY_MAX_N);
    if (problems.length > 0) throw new RpcError(RpcErrorCode.INVALID_PAYLOAD, `invalid CompleteRequest: ${problems.join('; ')}`);
    const result = await this.policy.complete(request);
    return policyV1.CompleteReply.toJSON(completionResultToProto(result));
  }

  @MessagePattern(RPC_SUBJECTS['PolicyService.ListModels'])
  async listModels(@ContractPayload(policyV1.ListModelsRequest, 'ListModelsRequest') _message: policyV1.ListModelsRequest): Promise<unknown> {
    const models = await this.policy.listModels();
    return policyV1.ListModelsReply.toJSON({ models, serverUrl: this.policy.baseUrl });
  }
}
