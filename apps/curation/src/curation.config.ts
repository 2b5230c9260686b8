import { BaseServiceConfig, IsDatabaseUrl, IsEnvBoolean, IsKafkaBrokers, Secret } from '@rstar/service-kit';
import { IsInt, IsString, Max, Min, MinLength } from 'class-validator';

/**
 * The curation service's environment (property names are the variable names; initialisers are the defaults:
 * tools/infra's PostgreSQL and Kafka on this machine).
 */
export class CurationConfig extends BaseServiceConfig {
  @IsInt()
  @Min(0)
  @Max(65535)
  override RSTAR_HTTP_PORT = 4050;

  /** Holds the database password: shown redacted in the logs. */
  @Secret()
  @IsDatabaseUrl()
  RSTAR_DATABASE_URL = 'postgres://rstar:rstar@127.0.0.1:5432/rstar';

  /** Run the database migrations at start-up (the gateway owns the schema; on for a service without one). */
  @IsEnvBoolean()
  RSTAR_DATABASE_MIGRATE = false;

  /** Comma-separated host:port of the Kafka bootstrap brokers (finished trees come from trajectories.v1). */
  @IsKafkaBrokers()
  RSTAR_KAFKA_BROKERS = '127.0.0.1:9092';

  /** Consumer group every curation instance shares (each tree is curated by one of them). */
  @IsString()
  @MinLength(1)
  RSTAR_KAFKA_GROUP_ID = 'rstar-curation';

  /** The self-evolution round the curated records belong to (the round being synthesized now). */
  @IsInt()
  @Min(0)
  @Max(1000)
  RSTAR_CURATION_ROUND = 1;

  /** Seconds before a tree whose records could not be stored (database away) is tried again. */
  @IsInt()
  @Min(1)
  @Max(3600)
  RSTAR_CURATION_RETRY_DELAY_S = 2;
}
