import { DataServiceConfig } from '@rstar/service-kit';
import { IsInt, IsString, Max, Min, MinLength } from 'class-validator';

/**
 * The curation service's environment (property names are the variable names; initialisers are the defaults:
 * tools/infra's PostgreSQL and Kafka on this machine).
 */
export class CurationConfig extends DataServiceConfig {
  @IsInt()
  @Min(0)
  @Max(65535)
  override RSTAR_HTTP_PORT = 4050;

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
