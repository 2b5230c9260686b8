import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { Inject, Injectable } from '@nestjs/common';
import type { Stores } from '@rstar/persistence';
import { GatewayError, GatewayErrorCode } from '../errors/gateway-error.js';
import type { GatewayConfig } from '../gateway.config.js';
import { GATEWAY_CONFIG, STORES } from '../gateway.ports.js';
import type { Principal } from './principal.js';
import { FixedWindowRateLimiter } from './rate-limiter.js';

/** Longer credentials are refused without a database look-up. */
const MAX_CREDENTIAL_LENGTH = 512;

const MISSING_KEY = 'an API key is required (Authorization: Bearer <key> or x-api-key: <key>)';

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** `Bearer <key>` (or the bare key) → the key; null when absent. */
function fromAuthorization(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  const match = /^Bearer\s+(.+)$/i.exec(trimmed);
  return (match?.[1] ?? trimmed).trim() || null;
}

/** The credential of an HTTP request: `Authorization: Bearer <key>`, else `x-api-key`. */
export function credentialFromHeaders(headers: IncomingHttpHeaders): string | null {
  return fromAuthorization(headers.authorization) ?? fromAuthorization(headers['x-api-key']);
}

/** The credential of a graphql-ws connection: `connectionParams.apiKey`, else `connectionParams.authorization`. */
export function credentialFromConnectionParams(params: Readonly<Record<string, unknown>> | undefined): string | null {
  if (!params) return null;
  return fromAuthorization(params['apiKey']) ?? fromAuthorization(params['authorization']) ?? fromAuthorization(params['Authorization']);
}

/** Turns a presented credential into a Principal and counts its requests against its rate limit. */
@Injectable()
export class ApiKeyAuthenticator {
  private readonly adminTokenHash: Buffer | null;
  private readonly limiter = new FixedWindowRateLimiter();

  constructor(
    @Inject(STORES) private readonly stores: Pick<Stores, 'apiKeys'>,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {
    this.adminTokenHash = config.RSTAR_ADMIN_TOKEN ? sha256(config.RSTAR_ADMIN_TOKEN) : null;
  }

  /** UNAUTHENTICATED for no or an unknown key, API_KEY_REVOKED for a revoked one. */
  async authenticate(credential: string | null): Promise<Principal> {
    if (!credential) throw new GatewayError(GatewayErrorCode.UNAUTHENTICATED, MISSING_KEY);
    if (credential.length > MAX_CREDENTIAL_LENGTH) throw new GatewayError(GatewayErrorCode.UNAUTHENTICATED, 'unknown API key');
    // Hashes of equal length, so the comparison takes the same time whatever was presented.
    if (this.adminTokenHash && timingSafeEqual(sha256(credential), this.adminTokenHash)) return { kind: 'admin-token' };
    const result = await this.stores.apiKeys.check(credential);
    switch (result.status) {
      case 'valid':
        return { kind: 'api-key', key: result.key };
      case 'revoked':
        throw new GatewayError(GatewayErrorCode.API_KEY_REVOKED, `API key ${result.key.prefix}… was revoked`);
      case 'unknown':
        throw new GatewayError(GatewayErrorCode.UNAUTHENTICATED, 'unknown API key');
      default:
        return result satisfies never;
    }
  }

  /** Counts one request; RATE_LIMITED (with retryAfterSeconds) when the key's minute is used up. */
  admit(principal: Principal): void {
    const [bucket, limit] =
      principal.kind === 'api-key' ? [`key:${principal.key.id}`, principal.key.rateLimitPerMinute] : ['admin-token', this.config.RSTAR_DEFAULT_RATE_LIMIT];
    const decision = this.limiter.take(bucket, limit);
    if (!decision.allowed) {
      const retryAfterSeconds = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
      throw new GatewayError(GatewayErrorCode.RATE_LIMITED, `rate limit of ${limit} requests per minute exceeded; retry in ${retryAfterSeconds}s`, {
        limit,
        retryAfterSeconds,
      });
    }
  }
}
