import { hostname } from 'node:os';
import { DataServiceConfig, IsEnvBoolean } from '@rstar/service-kit';
import { IsInt, IsString, Max, Min, MinLength } from 'class-validator';

/**
 * The search worker's environment (property names are the variable names; initialisers are the defaults:
 * tools/infra's NATS, PostgreSQL and Kafka on this machine).
 */
export class SearchConfig extends DataServiceConfig {
  @IsInt()
  @Min(0)
  @Max(65535)
  override RSTAR_HTTP_PORT = 4010;

  /** Partitions of trajectories.v1 when this worker is the one that creates it. */
  @IsInt()
  @Min(1)
  @Max(1000)
  RSTAR_KAFKA_PARTITIONS = 6;

  /** Searches one instance runs at the same time (each is one job). */
  @IsInt()
  @Min(1)
  @Max(64)
  RSTAR_SEARCH_CONCURRENCY = 1;

  /** Seconds before JetStream hands a job whose worker stopped answering (died) to another instance. */
  @IsInt()
  @Min(1)
  @Max(3600)
  RSTAR_JOB_ACK_WAIT_S = 30;

  /** Deliveries of one job (retries after transient failures and dead workers included) before it fails. */
  @IsInt()
  @Min(1)
  @Max(100)
  RSTAR_JOB_MAX_DELIVER = 5;

  /** Seconds before a job that failed for a transient reason (a service unreachable) is tried again. */
  @IsInt()
  @Min(0)
  @Max(3600)
  RSTAR_JOB_RETRY_DELAY_S = 5;

  /** This instance's name in the jobs it claims (the pod name in Kubernetes). */
  @IsString()
  @MinLength(1)
  RSTAR_WORKER_ID = `${hostname()}-${process.pid}`;

  /** The policy model recorded with each finished job; empty: the first model the policy service lists. */
  @IsString()
  RSTAR_POLICY_MODEL_NAME = '';

  /** Score new steps with the PPM service and use it as the terminal value when a job has no reference answer. */
  @IsEnvBoolean()
  RSTAR_PPM_ENABLED = false;

  /** Limit of one policy completion over NATS, in seconds (a CPU model generating n steps is slow). */
  @IsInt()
  @Min(1)
  @Max(3600)
  RSTAR_POLICY_TIMEOUT_S = 600;
}
