import { availableParallelism } from 'node:os';
import { SANDBOX_ISOLATIONS, type SandboxIsolation } from '@rstar/sandbox';
import { BaseServiceConfig } from '@rstar/service-kit';
import { IsIn, IsInt, IsNumber, Max, Min } from 'class-validator';

/** The sandbox service's environment: its pool of runtimes and the grader worker it hosts. */
export class SandboxServiceConfig extends BaseServiceConfig {
  override RSTAR_HTTP_PORT = 4040;

  /** Runtimes in the pool, each running one program at a time; default: one per core. */
  @IsInt()
  @Min(1)
  @Max(256)
  RSTAR_SANDBOX_WORKERS = availableParallelism();

  /** `namespaces` (bubblewrap: no network, read-only root, own pid/user/mount namespaces) or `basic` (rlimits only). */
  @IsIn(SANDBOX_ISOLATIONS)
  RSTAR_SANDBOX_ISOLATION: SandboxIsolation = 'namespaces';

  /** Wall-clock limit of one run, in seconds (METHOD.md's reference: 30). */
  @IsNumber()
  @Min(0.1)
  @Max(3600)
  RSTAR_SANDBOX_WALL_S = 10;

  /** Budget of one grade; the grader worker is killed and restarted when it overruns it. */
  @IsNumber()
  @Min(0.1)
  @Max(600)
  RSTAR_GRADER_TIMEOUT_S = 5;
}
