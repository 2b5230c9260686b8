import type { ApiKeyRecord } from '@rstar/persistence';

/** Who is calling: an API key, or the bootstrap admin token of the deployment. */
export type Principal = { kind: 'api-key'; key: ApiKeyRecord } | { kind: 'admin-token' };

export function isAdmin(principal: Principal): boolean {
  return principal.kind === 'admin-token' || principal.key.role === 'admin';
}

/** The key id jobs are filed under; null for the admin token. */
export function principalKeyId(principal: Principal): string | null {
  return principal.kind === 'api-key' ? principal.key.id : null;
}
