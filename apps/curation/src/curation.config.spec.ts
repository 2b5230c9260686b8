import { ConfigError, loadConfig, redactConfig } from '@rstar/service-kit';
import { describe, expect, it } from 'vitest';
import { CurationConfig } from './curation.config.js';

describe('CurationConfig', () => {
  it('has working defaults for tools/infra on this machine', () => {
    expect(loadConfig('curation', CurationConfig, {})).toMatchObject({ RSTAR_HTTP_PORT: 4050, RSTAR_KAFKA_BROKERS: '127.0.0.1:9092', RSTAR_KAFKA_GROUP_ID: 'rstar-curation', RSTAR_CURATION_ROUND: 1 });
  });

  it('lists every bad variable at once and never logs the database password', () => {
    let error: unknown;
    try {
      loadConfig('curation', CurationConfig, { RSTAR_CURATION_ROUND: '-1', RSTAR_KAFKA_BROKERS: 'kafka', RSTAR_DATABASE_URL: 'mysql://x' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const { problems } = error as ConfigError;
    for (const name of ['RSTAR_CURATION_ROUND', 'RSTAR_KAFKA_BROKERS', 'RSTAR_DATABASE_URL']) expect(problems.some((p) => p.startsWith(name))).toBe(true);
    expect(JSON.stringify(redactConfig(loadConfig('curation', CurationConfig, {})))).not.toContain('rstar:rstar@');
  });
});
