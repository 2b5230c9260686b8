import 'reflect-metadata';
import { applyDecorators } from '@nestjs/common';
import { plainToInstance, Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsString, Matches, Max, Min, validateSync, type ValidationError } from 'class-validator';

const SECRETS = Symbol('rstar:secret-config-keys');

/** Marks a config property as a secret: never logged, shown redacted. */
export function Secret(): PropertyDecorator {
  return (target, key) => {
    const keys = (Reflect.getMetadata(SECRETS, target) as (string | symbol)[] | undefined) ?? [];
    Reflect.defineMetadata(SECRETS, [...keys, key], target);
  };
}

/** The environment failed validation; `problems` names every bad variable. */
export class ConfigError extends Error {
  constructor(
    readonly service: string,
    readonly problems: string[],
  ) {
    super(`${service}: invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

function flatten(errors: ValidationError[]): string[] {
  return errors.flatMap((e) => [
    ...Object.values(e.constraints ?? {}).map((m) => (m.startsWith(e.property) ? m : `${e.property}: ${m}`)),
    ...flatten(e.children ?? []),
  ]);
}

/**
 * Reads and validates a service's environment into its config class, once at start-up. Property names are the
 * variable names; property initialisers are the defaults (the embedded/dev values). Throws a ConfigError that
 * lists every bad variable.
 */
export function loadConfig<T extends object>(service: string, cls: new () => T, env: NodeJS.ProcessEnv = process.env): T {
  const defaults = new cls() as Record<string, unknown>;
  const given = Object.fromEntries(
    Object.keys(defaults)
      .filter((k) => env[k] !== undefined && env[k] !== '')
      .map((k) => [k, fromEnv(env[k] as string, defaults[k])]),
  );
  const config = plainToInstance(cls, given, { exposeDefaultValues: true });
  const problems = flatten(validateSync(config, { forbidUnknownValues: true }));
  if (problems.length > 0) throw new ConfigError(service, problems);
  return config;
}

/**
 * A variable's value typed like its default: numbers and booleans convert here, because decorator metadata
 * (what class-transformer's implicit conversion reads) says `Object` for a property without a type annotation.
 * What does not convert stays a string, so the validators report it.
 */
function fromEnv(value: string, defaultValue: unknown): unknown {
  if (typeof defaultValue === 'number') return value.trim() !== '' && Number.isFinite(Number(value)) ? Number(value) : value;
  if (typeof defaultValue === 'boolean') return value === 'true' ? true : value === 'false' ? false : value;
  return value;
}

/** The config as it may be logged: secrets replaced by "***". */
export function redactConfig(config: object): Record<string, unknown> {
  const secrets = new Set((Reflect.getMetadata(SECRETS, config) as (string | symbol)[] | undefined) ?? []);
  return Object.fromEntries(Object.entries(config).map(([k, v]) => [k, secrets.has(k) ? '***' : (v as unknown)]));
}

/** "true"/"false"/"1"/"0"/"yes"/"no"/"on"/"off" as a boolean; anything else is left for the validator to refuse. */
function parseBoolean({ value }: { value: unknown }): unknown {
  if (typeof value !== 'string') return value;
  const lower = value.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(lower)) return true;
  if (['false', '0', 'no', 'off'].includes(lower)) return false;
  return value;
}

/** A boolean variable. */
export function IsEnvBoolean(): PropertyDecorator {
  return applyDecorators(Transform(parseBoolean), IsBoolean());
}

/** A database URL the persistence library accepts: postgres(ql):// or sqlite:. */
export function IsDatabaseUrl(): PropertyDecorator {
  return applyDecorators(IsString(), Matches(/^(postgres(ql)?:\/\/|sqlite:)/, { message: '$property must be a postgres:// or sqlite: URL' }));
}

/** Kafka bootstrap brokers: host:port[,host:port…]. */
export function IsKafkaBrokers(): PropertyDecorator {
  return applyDecorators(IsString(), Matches(/^[^\s,]+:\d+(,[^\s,]+:\d+)*$/, { message: '$property must be host:port[,host:port…]' }));
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** What every service reads: where it listens for health checks, how much it logs, where NATS is. */
export class BaseServiceConfig {
  @IsInt()
  @Min(0)
  @Max(65535)
  RSTAR_HTTP_PORT = 0;

  @IsString()
  RSTAR_HTTP_HOST = '127.0.0.1';

  @IsIn(LOG_LEVELS)
  RSTAR_LOG_LEVEL: LogLevel = 'info';

  @IsString()
  RSTAR_NATS_URL = 'nats://127.0.0.1:4222';

  /** Seconds a shutdown may take before the process exits anyway. */
  @IsInt()
  @Min(1)
  @Max(3600)
  RSTAR_SHUTDOWN_TIMEOUT_S = 30;
}

/**
 * What a worker service on the database and Kafka reads besides the basics (the search workers, curation):
 * where PostgreSQL is, whether to migrate it (the gateway owns the schema), and the Kafka brokers.
 */
export class DataServiceConfig extends BaseServiceConfig {
  /** Holds the database password: shown redacted in the logs. */
  @Secret()
  @IsDatabaseUrl()
  RSTAR_DATABASE_URL = 'postgres://rstar:rstar@127.0.0.1:5432/rstar';

  /**
   * Run the database migrations at start-up. Off by default: the gateway owns the schema (it migrates
   * before the workers start); turn it on for a service that runs without a gateway.
   */
  @IsEnvBoolean()
  RSTAR_DATABASE_MIGRATE = false;

  /** Comma-separated host:port of the Kafka bootstrap brokers (trajectories.v1). */
  @IsKafkaBrokers()
  RSTAR_KAFKA_BROKERS = '127.0.0.1:9092';
}
