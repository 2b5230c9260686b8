import { ConfigError, loadConfig, redactConfig } from '@rstar/service-kit';
import { describe, expect, it } from 'vitest';
import { SearchConfig } from './search.config.js';

describe('SearchConfig', () => {
  it('defaults to the local infrastructure, one search at a time, migrations left to the gateway', () => {
    const config = loadConfig('search', SearchConfig, {});
    expect(config).toMatchObject({
      RSTAR_HTTP_PORT: 4010,
      RSTAR_NATS_URL: 'nats://127.0.0.1:4222',
      RSTAR_DATABASE_URL: 'postgres://rstar:rstar@127.0.0.1:5432/rstar',
      RSTAR_DATABASE_MIGRATE: false,
      RSTAR_KAFKA_BROKERS: '127.0.0.1:9092',
      RSTAR_SEARCH_CONCURRENCY: 1,
      RSTAR_JOB_ACK_WAIT_S: 30,
      RSTAR_JOB_MAX_DELIVER: 5,
      RSTAR_POLICY_MODEL_NAME: '',
      RSTAR_PPM_ENABLED: false,
    });
    expect(config.RSTAR_WORKER_ID).toMatch(new RegExp(`-${process.pid}$`));
  });

  it('reads booleans and numbers from the environment', () => {
    const config = loadConfig('search', SearchConfig, {
      RSTAR_PPM_ENABLED: 'true',
      RSTAR_DATABASE_MIGRATE: 'false',
      RSTAR_SEARCH_CONCURRENCY: '4',
      RSTAR_WORKER_ID: 'search-7f9c',
      RSTAR_KAFKA_BROKERS: 'kafka-0:9092,kafka-1:9092',
    });
    expect(config).toMatchObject({ RSTAR_PPM_ENABLED: true, RSTAR_DATABASE_MIGRATE: false, RSTAR_SEARCH_CONCURRENCY: 4, RSTAR_WORKER_ID: 'search-7f9c' });
    expect(loadConfig('search', SearchConfig, { RSTAR_DATABASE_MIGRATE: '1' }).RSTAR_DATABASE_MIGRATE).toBe(true);
  });

  it('lists every bad variable and never shows the database password', () => {
    let error: unknown;
    try {
      loadConfig('search', SearchConfig, { RSTAR_SEARCH_CONCURRENCY: '0', RSTAR_PPM_ENABLED: 'maybe', RSTAR_KAFKA_BROKERS: 'kafka', RSTAR_DATABASE_URL: 'mysql://x' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const { problems } = error as ConfigError;
    for (const name of ['RSTAR_SEARCH_CONCURRENCY', 'RSTAR_PPM_ENABLED', 'RSTAR_KAFKA_BROKERS', 'RSTAR_DATABASE_URL']) expect(problems.some((p) => p.startsWith(name))).toBe(true);
    expect(JSON.stringify(redactConfig(loadConfig('search', SearchConfig, {})))).not.toContain('rstar:rstar@');
  });
});
