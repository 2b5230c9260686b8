import { Inject } from '@nestjs/common';
import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import type { ModelKind, ModelRecord, Stores } from '@rstar/persistence';
import { AdminOnly } from '../auth/admin.guard.js';
import { GatewayError, GatewayErrorCode } from '../errors/gateway-error.js';
import { STORES } from '../gateway.ports.js';
import { Model, ModelKindValue, RegisterModelInput } from './model.types.js';

const MAX_METADATA_CHARS = 16_384;

export function toModelDto(model: ModelRecord): Model {
  return {
    id: model.id,
    name: model.name,
    kind: model.kind === 'policy' ? ModelKindValue.POLICY : ModelKindValue.PPM,
    uri: model.uri,
    round: model.round,
    metadataJson: JSON.stringify(model.metadata),
    createdAt: model.createdAt,
  };
}

/** `metadataJson` as an object; BAD_USER_INPUT when it is not a JSON object (or too long). */
export function parseMetadata(json: string | null | undefined): Record<string, unknown> {
  if (json === null || json === undefined || json.trim() === '') return {};
  if (json.length > MAX_METADATA_CHARS) {
    throw new GatewayError(GatewayErrorCode.INPUT_TOO_LARGE, `metadataJson is longer than ${MAX_METADATA_CHARS} characters`, {
      field: 'input.metadataJson',
      limit: MAX_METADATA_CHARS,
    });
  }
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    value = undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new GatewayError(GatewayErrorCode.BAD_USER_INPUT, 'metadataJson must be a JSON object', { field: 'input.metadataJson' });
  }
  return value as Record<string, unknown>;
}

/** The model registry: policies and PPMs by name (training registers the models of each round). */
@Resolver(() => Model)
export class ModelResolver {
  constructor(@Inject(STORES) private readonly stores: Pick<Stores, 'models'>) {}

  @Query(() => [Model], { description: 'Registered models, of one kind or all.' })
  async models(@Args('kind', { type: () => ModelKindValue, nullable: true }) kind: ModelKindValue | null): Promise<Model[]> {
    return (await this.stores.models.list((kind ?? null) as ModelKind | null)).map(toModelDto);
  }

  @AdminOnly()
  @Mutation(() => Model, { description: 'Registers a model, or updates the one of the same name (admin).' })
  async registerModel(@Args('input') input: RegisterModelInput): Promise<Model> {
    const name = input.name.trim();
    const uri = input.uri.trim();
    if (name === '' || name.length > 200) throw new GatewayError(GatewayErrorCode.BAD_USER_INPUT, 'name must have 1 to 200 characters', { field: 'input.name' });
    if (uri === '' || uri.length > 2000) throw new GatewayError(GatewayErrorCode.BAD_USER_INPUT, 'uri must have 1 to 2000 characters', { field: 'input.uri' });
    const round = input.round ?? 0;
    if (!Number.isInteger(round) || round < 0 || round > 1000) {
      throw new GatewayError(GatewayErrorCode.BAD_USER_INPUT, 'round must be from 0 to 1000', { field: 'input.round' });
    }
    const model = await this.stores.models.register({ name, kind: input.kind, uri, round, metadata: parseMetadata(input.metadataJson) });
    return toModelDto(model);
  }
}
