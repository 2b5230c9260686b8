import type { ApiKeyRecord, ApiKeyRole, ApiKeyStore } from '@rstar/persistence';
import { GatewayError, GatewayErrorCode } from '../errors/gateway-error.js';

export const MAX_KEY_NAME_CHARS = 200;
export const MAX_RATE_LIMIT_PER_MINUTE = 1_000_000;

/** Issue / revoke / list API keys, with the checks shared by the GraphQL mutations and the operator CLI. */
export class ApiKeyAdmin {
  constructor(
    private readonly apiKeys: ApiKeyStore,
    private readonly defaultRateLimit: number,
  ) {}

  issue(options: { name: string; role: ApiKeyRole; rateLimitPerMinute?: number | null }): Promise<{ key: ApiKeyRecord; secret: string }> {
    const name = options.name.trim();
    if (name === '' || name.length > MAX_KEY_NAME_CHARS) {
      throw new GatewayError(GatewayErrorCode.BAD_USER_INPUT, `name must have 1 to ${MAX_KEY_NAME_CHARS} characters`, { field: 'name' });
    }
    const rate = options.rateLimitPerMinute ?? this.defaultRateLimit;
    if (!Number.isInteger(rate) || rate < 1 || rate > MAX_RATE_LIMIT_PER_MINUTE) {
      throw new GatewayError(GatewayErrorCode.BAD_USER_INPUT, `rateLimitPerMinute must be from 1 to ${MAX_RATE_LIMIT_PER_MINUTE}`, {
        field: 'rateLimitPerMinute',
      });
    }
    return this.apiKeys.issue({ name, role: options.role, rateLimitPerMinute: rate });
  }

  async revoke(idOrPrefix: string): Promise<ApiKeyRecord> {
    const key = idOrPrefix.trim() === '' ? null : await this.apiKeys.revoke(idOrPrefix.trim());
    if (!key) throw new GatewayError(GatewayErrorCode.NOT_FOUND, `no API key ${idOrPrefix}`, { field: 'idOrPrefix' });
    return key;
  }

  list(): Promise<ApiKeyRecord[]> {
    return this.apiKeys.list();
  }
}
