import { ConfigError, loadConfig, redactConfig } from '@rstar/service-kit';
import { describe, expect, it } from 'vitest';
import { GatewayConfig } from './gateway.config.js';

describe('GatewayConfig', () => {
  it('has the documented defaults', () => {
    const config = loadConfig('gateway', GatewayConfig, {});
    expect(config).toMatchObject({
      RSTAR_HTTP_PORT: 4000,
      RSTAR_DATABASE_URL: 'postgresql://rstar:rstar@127.0.0.1:5432/rstar',
      RSTAR_DATABASE_MIGRATE: true,
      RSTAR_ADMIN_TOKEN: undefined,
      RSTAR_MAX_QUERY_DEPTH: 8,
      RSTAR_MAX_QUERY_COMPLEXITY: 1000,
      RSTAR_MAX_PROBLEM_CHARS: 4000,
      RSTAR_MAX_ROLLOUTS: 64,
      RSTAR_MAX_WIDTH: 16,
      RSTAR_DEFAULT_RATE_LIMIT: 60,
      RSTAR_MAX_BODY_BYTES: 8 * 1024 * 1024,
    });
  });

  it('reads booleans and numbers from the environment', () => {
    const config = loadConfig('gateway', GatewayConfig, { RSTAR_DATABASE_MIGRATE: 'false', RSTAR_MAX_ROLLOUTS: '8', RSTAR_DATABASE_URL: 'sqlite::memory:' });
    expect(config.RSTAR_DATABASE_MIGRATE).toBe(false);
    expect(config.RSTAR_MAX_ROLLOUTS).toBe(8);
    expect(config.RSTAR_DATABASE_URL).toBe('sqlite::memory:');
  });

  it('lists every bad variable', () => {
    let error: unknown;
    try {
      loadConfig('gateway', GatewayConfig, { RSTAR_DATABASE_MIGRATE: 'maybe', RSTAR_MAX_WIDTH: '65', RSTAR_DATABASE_URL: 'mysql://x', RSTAR_ADMIN_TOKEN: 'short' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const text = (error as ConfigError).problems.join('\n');
    for (const name of ['RSTAR_DATABASE_MIGRATE', 'RSTAR_MAX_WIDTH', 'RSTAR_DATABASE_URL', 'RSTAR_ADMIN_TOKEN']) expect(text).toContain(name);
  });

  it('never shows the admin token', () => {
    const config = loadConfig('gateway', GatewayConfig, { RSTAR_ADMIN_TOKEN: 'a-very-secret-admin-token' });
    expect(JSON.stringify(redactConfig(config))).not.toContain('a-very-secret-admin-token');
    expect(redactConfig(config)['RSTAR_ADMIN_TOKEN']).toBe('***');
  });
});
