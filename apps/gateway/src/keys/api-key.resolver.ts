import { Inject } from '@nestjs/common';
import { Args, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import type { ApiKeyRecord } from '@rstar/persistence';
import { AdminOnly } from '../auth/admin.guard.js';
import { ApiKey, ApiKeyRoleValue, IssuedApiKey } from './api-key.types.js';
import { ApiKeyAdmin } from './api-key.service.js';

export function toApiKeyDto(key: ApiKeyRecord): ApiKey {
  return {
    id: key.id,
    name: key.name,
    prefix: key.prefix,
    role: key.role === 'admin' ? ApiKeyRoleValue.ADMIN : ApiKeyRoleValue.CLIENT,
    rateLimitPerMinute: key.rateLimitPerMinute,
    createdAt: key.createdAt,
    revokedAt: key.revokedAt,
    lastUsedAt: key.lastUsedAt,
  };
}

/** Key management: admin keys and the bootstrap admin token only. */
@AdminOnly()
@Resolver(() => ApiKey)
export class ApiKeyResolver {
  constructor(@Inject(ApiKeyAdmin) private readonly admin: ApiKeyAdmin) {}

  @Mutation(() => IssuedApiKey, { description: 'Issues a key; the answer holds its secret, which is stored hashed and never shown again.' })
  async issueApiKey(
    @Args('name') name: string,
    @Args('role', { type: () => ApiKeyRoleValue, defaultValue: ApiKeyRoleValue.CLIENT }) role: ApiKeyRoleValue,
    @Args('rateLimitPerMinute', { type: () => Int, nullable: true, description: 'Default: RSTAR_DEFAULT_RATE_LIMIT.' })
    rateLimitPerMinute: number | null,
  ): Promise<IssuedApiKey> {
    const { key, secret } = await this.admin.issue({ name, role: role, rateLimitPerMinute });
    return { key: toApiKeyDto(key), secret };
  }

  @Mutation(() => ApiKey, { description: 'Revokes a key by id or prefix; requests with it then fail with API_KEY_REVOKED.' })
  async revokeApiKey(@Args('idOrPrefix') idOrPrefix: string): Promise<ApiKey> {
    return toApiKeyDto(await this.admin.revoke(idOrPrefix));
  }

  @Query(() => [ApiKey])
  async apiKeys(): Promise<ApiKey[]> {
    return (await this.admin.list()).map(toApiKeyDto);
  }
}
