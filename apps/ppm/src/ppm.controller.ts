import { MessagePattern } from '@nestjs/microservices';
import { HttpPpmClient } from '@rstar/clients';
import { ppmV1, RPC_SUBJECTS } from '@rstar/contracts';
import { ContractPayload, RpcController, RpcError, RpcErrorCode, scoreRequestFromProto } from '@rstar/messaging';
import { PpmConfig } from './ppm.config.js';

/** PpmService over NATS: all trajectories of a request are scored in one call to the reward-model server. */
@RpcController()
export class PpmController {
  constructor(
    private readonly ppm: HttpPpmClient,
    private readonly config: PpmConfig,
  ) {}

  @MessagePattern(RPC_SUBJECTS['PpmService.Score'])
  async score(@ContractPayload(ppmV1.ScoreRequest, 'ScoreRequest') message: ppmV1.ScoreRequest): Promise<unknown> {
    const { question, stepsList } = scoreRequestFromProto(message);
    const problems = scoreRequestProblems(question, stepsList, this.config.RSTAR_PPM_MAX_TRAJECTORIES);
    if (problems.length > 0) throw new RpcError(RpcErrorCode.INVALID_PAYLOAD, `invalid ScoreRequest: ${problems.join('; ')}`);
    const rewards = await this.ppm.score(question, stepsList);
    return ppmV1.ScoreReply.toJSON({ rewards });
  }
}

/** What is wrong with a scoring request beyond its contract's types; empty when nothing. */
export function scoreRequestProblems(question: string, stepsList: readonly (readonly string[])[], maxTrajectories: number): string[] {
  const problems: string[] = [];
  if (question.trim() === '') problems.push('question must not be empty');
  if (stepsList.length > maxTrajectories) problems.push(`at most ${maxTrajectories} trajectories per request, got ${stepsList.length}`);
  const empty = stepsList.findIndex((steps) => steps.length === 0);
  if (empty >= 0) problems.push(`trajectory ${empty} has no step to score`);
  return problems;
}
