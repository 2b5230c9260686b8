import type { ApiKeyCheck, ApiKeyRecord, Stores } from '@rstar/persistence';
import { loadConfig } from '@rstar/service-kit';
import { describe, expect, it } from 'vitest';
import { GatewayError, GatewayErrorCode } from '../errors/gateway-error.js';
import { GatewayConfig } from '../gateway.config.js';
import { ApiKeyAuthenticator, credentialFromConnectionParams, credentialFromHeaders } from './api-key-auth.service.js';

const key: ApiKeyRecord = {
  id: 'k1',
  name: 'tutor',
  prefix: 'rsk_abcdefgh',
  role: 'client',
  rateLimitPerMinute: 2,
  createdAt: new Date(0),
  revokedAt: null,
  lastUsedAt: null,
};

function authenticator(checks: Record<string, ApiKeyCheck>, env: Record<string, string> = {}) {
  const seen: string[] = [];
  const stores = {
    apiKeys: {
      check: (secret: string) => {
        seen.push(secret);
        return Promise.resolve(checks[secret] ?? { status: 'unknown' as const });
      },
    },
  } as unknown as Pick<Stores, 'apiKeys'>;
  return { auth: new ApiKeyAuthenticator(stores, loadConfig('gateway', GatewayConfig, env)), seen };
}

async function failure(promise: Promise<unknown>): Promise<GatewayError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('did not fail');
}

describe('credentials', () => {
  it('come from Authorization: Bearer, else x-api-key', () => {
    expect(credentialFromHeaders({ authorization: 'Bearer  rsk_1 ' })).toBe('rsk_1');
    expect(credentialFromHeaders({ authorization: 'bearer rsk_1' })).toBe('rsk_1');
    expect(credentialFromHeaders({ 'x-api-key': 'rsk_2' })).toBe('rsk_2');
    expect(credentialFromHeaders({ authorization: 'Bearer rsk_1', 'x-api-key': 'rsk_2' })).toBe('rsk_1');
    expect(credentialFromHeaders({})).toBeNull();
    expect(credentialFromHeaders({ authorization: '  ' })).toBeNull();
  });

  it('come from connectionParams { apiKey } or { authorization }', () => {
    expect(credentialFromConnectionParams({ apiKey: 'rsk_1' })).toBe('rsk_1');
    expect(credentialFromConnectionParams({ authorization: 'Bearer rsk_2' })).toBe('rsk_2');
    expect(credentialFromConnectionParams({ Authorization: 'Bearer rsk_3' })).toBe('rsk_3');
    expect(credentialFromConnectionParams({ apiKey: 42 })).toBeNull();
    expect(credentialFromConnectionParams(undefined)).toBeNull();
  });
});

describe('ApiKeyAuthenticator', () => {
  it('accepts a valid key and refuses no key, an unknown key and a revoked key with their codes', async () => {
    const { auth } = authenticator({
      good: { status: 'valid', key },
      old: { status: 'revoked', key: { ...key, revokedAt: new Date(5) } },
    });
    expect(await auth.authenticate('good')).toEqual({ kind: 'api-key', key });
    expect((await failure(auth.authenticate(null))).code).toBe(GatewayErrorCode.UNAUTHENTICATED);
    expect((await failure(auth.authenticate('nope'))).code).toBe(GatewayErrorCode.UNAUTHENTICATED);
    const revoked = await failure(auth.authenticate('old'));
    expect(revoked.code).toBe(GatewayErrorCode.API_KEY_REVOKED);
    expect(revoked.message).toContain('rsk_abcdefgh');
  });

  it('knows the bootstrap admin token without asking the store', async () => {
    const { auth, seen } = authenticator({}, { RSTAR_ADMIN_TOKEN: 'bootstrap-admin-token-0123' });
    expect(await auth.authenticate('bootstrap-admin-token-0123')).toEqual({ kind: 'admin-token' });
    expect(seen).toEqual([]);
    expect((await failure(auth.authenticate('bootstrap-admin-token-0124'))).code).toBe(GatewayErrorCode.UNAUTHENTICATED);
  });

  it('refuses an absurdly long credential without a look-up', async () => {
    const { auth, seen } = authenticator({});
    expect((await failure(auth.authenticate('x'.repeat(10_000)))).code).toBe(GatewayErrorCode.UNAUTHENTICATED);
    expect(seen).toEqual([]);
  });

  it("counts requests against the key's own limit", () => {
    const { auth } = authenticator({}, { RSTAR_DEFAULT_RATE_LIMIT: '1' });
    const principal = { kind: 'api-key' as const, key };
    auth.admit(principal);
    auth.admit(principal);
    let error: unknown;
    try {
      auth.admit(principal);
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: GatewayErrorCode.RATE_LIMITED, details: { limit: 2 } });
    expect((error as GatewayError).details.retryAfterSeconds).toBeGreaterThan(0);
    // Another principal has its own window (the admin token uses RSTAR_DEFAULT_RATE_LIMIT).
    auth.admit({ kind: 'admin-token' });
    expect(() => auth.admit({ kind: 'admin-token' })).toThrow(GatewayError);
  });
});
