import { BaseServiceConfig, IsDatabaseUrl, IsEnvBoolean, Secret } from '@rstar/service-kit';
import { IsInt, IsOptional, IsString, Max, Min, MinLength } from 'class-validator';

/** The gateway's environment (property names are the variable names; initialisers are the defaults). */
export class GatewayConfig extends BaseServiceConfig {
  @IsInt()
  @Min(0)
  @Max(65535)
  override RSTAR_HTTP_PORT = 4000;

  @IsDatabaseUrl()
  RSTAR_DATABASE_URL = 'postgresql://rstar:rstar@127.0.0.1:5432/rstar';

  /** Run the database migrations at start-up (one gateway replica should; the others find them done). */
  @IsEnvBoolean()
  RSTAR_DATABASE_MIGRATE = true;

  /** Bootstrap admin credential (before any admin API key exists); unset: only admin keys administer. */
  @Secret()
  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'RSTAR_ADMIN_TOKEN must be at least 16 characters' })
  RSTAR_ADMIN_TOKEN: string | undefined = undefined;

  @IsInt()
  @Min(1)
  @Max(100)
  RSTAR_MAX_QUERY_DEPTH = 8;

  @IsInt()
  @Min(1)
  @Max(1_000_000)
  RSTAR_MAX_QUERY_COMPLEXITY = 1000;

  /** Longest problem statement `solve` (and a dataset import) accepts, in characters. */
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  RSTAR_MAX_PROBLEM_CHARS = 4000;

  @IsInt()
  @Min(1)
  @Max(10_000)
  RSTAR_MAX_ROLLOUTS = 64;

  @IsInt()
  @Min(1)
  @Max(64)
  RSTAR_MAX_WIDTH = 16;

  /** Requests per minute of a key issued without its own limit, and of the bootstrap admin token. */
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  RSTAR_DEFAULT_RATE_LIMIT = 60;

  /** Problems one synthesis run may queue (one job each). */
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  RSTAR_MAX_SYNTHESIS_PROBLEMS = 20_000;

  /** How often a synthesis progress subscription reads the run's state, in milliseconds. */
  @IsInt()
  @Min(50)
  @Max(60_000)
  RSTAR_SYNTHESIS_POLL_MS = 2000;

  /** Largest HTTP request body (a dataset import travels in one): 8 MiB. */
  @IsInt()
  @Min(1024)
  @Max(1024 * 1024 * 1024)
  RSTAR_MAX_BODY_BYTES = 8 * 1024 * 1024;
}
