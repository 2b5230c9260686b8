import { BaseServiceConfig, Secret } from '@rstar/service-kit';
import { IsInt, IsString, IsUrl, Max, Min } from 'class-validator';

/** The policy service's environment (defaults: the CPU model server of `tools/dev` on this machine). */
export class PolicyConfig extends BaseServiceConfig {
  override RSTAR_HTTP_PORT = 4020;

  /** The OpenAI-compatible server (vLLM, SGLang, llama.cpp, the CPU model server); a trailing /v1 is accepted. */
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] })
  RSTAR_POLICY_URL = 'http://127.0.0.1:8000/v1';

  /** Model id sent with each request; empty: the server's first model. */
  @IsString()
  RSTAR_POLICY_MODEL = '';

  /** vLLM's `--api-key`, if the server has one. */
  @Secret()
  @IsString()
  RSTAR_POLICY_API_KEY = '';

  /** Limit of one completion request to the server, in seconds (a CPU model generating n steps is slow). */
  @IsInt()
  @Min(1)
  @Max(3600)
  RSTAR_POLICY_TIMEOUT_S = 600;

  /** Retries of a request the server refused with 5xx/429 or could not take (connection refused). */
  @IsInt()
  @Min(0)
  @Max(10)
  RSTAR_POLICY_RETRIES = 3;

  /** The most candidates one request may ask for (METHOD.md: 32 at inference). */
  @IsInt()
  @Min(1)
  @Max(1024)
  RSTAR_POLICY_MAX_N = 64;
}
