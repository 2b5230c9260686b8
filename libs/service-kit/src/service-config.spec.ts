import { IsBoolean, IsInt, IsString, IsUrl, Max, Min } from 'class-validator';
import { describe, expect, it } from 'vitest';
import { BaseServiceConfig, ConfigError, loadConfig, redactConfig, Secret } from './service-config.js';

class ExampleConfig extends BaseServiceConfig {
  override RSTAR_HTTP_PORT = 4999;

  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true })
  RSTAR_EXAMPLE_URL = 'http://127.0.0.1:8000/v1';

  @IsInt()
  @Min(1)
  @Max(64)
  RSTAR_EXAMPLE_WORKERS = 2;

  @IsBoolean()
  RSTAR_EXAMPLE_STRICT = false;

  @Secret()
  @IsString()
  RSTAR_EXAMPLE_TOKEN = 'dev-token';
}

describe('loadConfig', () => {
  it('gives the defaults (the embedded mode) when nothing is set', () => {
    const config = loadConfig('example', ExampleConfig, {});
    expect(config).toBeInstanceOf(ExampleConfig);
    expect(config).toMatchObject({
      RSTAR_HTTP_PORT: 4999,
      RSTAR_HTTP_HOST: '127.0.0.1',
      RSTAR_LOG_LEVEL: 'info',
      RSTAR_NATS_URL: 'nats://127.0.0.1:4222',
      RSTAR_SHUTDOWN_TIMEOUT_S: 30,
      RSTAR_EXAMPLE_WORKERS: 2,
    });
  });

  it('reads variables by property name, converting numbers, ignoring empty and unknown ones', () => {
    const config = loadConfig('example', ExampleConfig, {
      RSTAR_HTTP_PORT: '0',
      RSTAR_EXAMPLE_WORKERS: '8',
      RSTAR_LOG_LEVEL: 'debug',
      RSTAR_EXAMPLE_URL: '',
      RSTAR_EXAMPLE_STRICT: 'true',
      RSTAR_SOMETHING_ELSE: 'x',
    });
    expect(config.RSTAR_EXAMPLE_STRICT).toBe(true);
    expect(config.RSTAR_HTTP_PORT).toBe(0);
    expect(config.RSTAR_EXAMPLE_WORKERS).toBe(8);
    expect(config.RSTAR_LOG_LEVEL).toBe('debug');
    expect(config.RSTAR_EXAMPLE_URL).toBe('http://127.0.0.1:8000/v1');
    expect(config).not.toHaveProperty('RSTAR_SOMETHING_ELSE');
  });

  it('lists every bad variable at once', () => {
    const error = (() => {
      try {
        loadConfig('example', ExampleConfig, { RSTAR_HTTP_PORT: '70000', RSTAR_EXAMPLE_WORKERS: 'many', RSTAR_LOG_LEVEL: 'loud', RSTAR_EXAMPLE_URL: 'not a url', RSTAR_EXAMPLE_STRICT: 'yes' });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    const { problems, message } = error as ConfigError;
    for (const name of ['RSTAR_HTTP_PORT', 'RSTAR_EXAMPLE_WORKERS', 'RSTAR_LOG_LEVEL', 'RSTAR_EXAMPLE_URL', 'RSTAR_EXAMPLE_STRICT']) {
      expect(problems.some((p) => p.startsWith(name))).toBe(true);
    }
    expect(message).toMatch(/^example: invalid configuration:\n {2}- /);
  });
});

describe('redactConfig', () => {
  it('hides secrets and shows the rest', () => {
    const config = loadConfig('example', ExampleConfig, { RSTAR_EXAMPLE_TOKEN: 'hunter2' });
    expect(config.RSTAR_EXAMPLE_TOKEN).toBe('hunter2');
    const shown = redactConfig(config);
    expect(shown['RSTAR_EXAMPLE_TOKEN']).toBe('***');
    expect(shown['RSTAR_EXAMPLE_WORKERS']).toBe(2);
    expect(JSON.stringify(shown)).not.toContain('hunter2');
  });

  it('leaves a config without secrets as it is', () => {
    const config = loadConfig('base', BaseServiceConfig, {});
    expect(redactConfig(config)).toEqual({ ...config });
  });
});
