import { PPM_APIS, type PpmApi } from '@rstar/clients';
import { BaseServiceConfig, Secret } from '@rstar/service-kit';
import { IsIn, IsInt, IsString, IsUrl, Max, Min } from 'class-validator';

/** The PPM service's environment: where the reward-model server is (no default: there is no embedded PPM). */
export class PpmConfig extends BaseServiceConfig {
  override RSTAR_HTTP_PORT = 4030;

  /** The reward-model server: `http://ppm:8000` for vLLM, or a base ending in `/v1` (SGLang). Required. */
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] }, { message: 'RSTAR_PPM_URL must be the URL of the reward-model server' })
  RSTAR_PPM_URL = '';

  /** Model id sent with each request; empty: the server's own. */
  @IsString()
  RSTAR_PPM_MODEL = '';

  /** vLLM's `/classify` or `/pooling`. */
  @IsIn(PPM_APIS)
  RSTAR_PPM_API: PpmApi = 'classify';

  @Secret()
  @IsString()
  RSTAR_PPM_API_KEY = '';

  /** Limit of one scoring request to the server, in seconds. */
  @IsInt()
  @Min(1)
  @Max(3600)
  RSTAR_PPM_TIMEOUT_S = 120;

  @IsInt()
  @Min(0)
  @Max(10)
  RSTAR_PPM_RETRIES = 3;

  /** The most trajectories one request may score (one expansion's width). */
  @IsInt()
  @Min(1)
  @Max(4096)
  RSTAR_PPM_MAX_TRAJECTORIES = 256;
}
