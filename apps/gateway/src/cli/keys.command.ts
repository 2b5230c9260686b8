import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { API_KEY_ROLES, createDataSource, migrate, openStores, type ApiKeyRecord, type ApiKeyRole, type ApiKeyStore } from '@rstar/persistence';
import { loadConfig } from '@rstar/service-kit';
import { GatewayError } from '../errors/gateway-error.js';
import { GatewayConfig } from '../gateway.config.js';
import { ApiKeyAdmin } from '../keys/api-key.service.js';

/** Where the command writes: stdout for results, stderr for errors. */
export interface CliOutput {
  out(text: string): void;
  err(text: string): void;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive integer');
  return n;
}

function describe(key: ApiKeyRecord): string {
  const state = key.revokedAt ? `revoked ${key.revokedAt.toISOString()}` : 'active';
  return `${key.id}  ${key.prefix}  ${key.role.padEnd(6)}  ${String(key.rateLimitPerMinute).padStart(6)}/min  ${state}  ${key.name}`;
}

/** `keys issue|revoke|list` over an ApiKeyStore (the operator's way in before any admin key exists). */
export function keysCommand(apiKeys: () => Promise<ApiKeyStore>, defaultRateLimit: number, output: CliOutput): Command {
  const keys = new Command('keys').description('manage gateway API keys (RSTAR_DATABASE_URL names the database)');
  const admin = async (): Promise<ApiKeyAdmin> => new ApiKeyAdmin(await apiKeys(), defaultRateLimit);
  keys
    .command('issue')
    .description('issue a key; prints its secret, which is stored hashed and never shown again')
    .requiredOption('--name <name>', 'who or what the key is for')
    .addOption(new Option('--role <role>', 'client, or admin (may manage keys and models)').choices([...API_KEY_ROLES]).default('client'))
    .option('--rate <n>', `requests per minute (default ${defaultRateLimit})`, positiveInt)
    .option('--json', 'print the key and its secret as JSON')
    .action(async (options: { name: string; role: ApiKeyRole; rate?: number; json?: boolean }) => {
      const { key, secret } = await (await admin()).issue({ name: options.name, role: options.role, rateLimitPerMinute: options.rate ?? null });
      output.out(options.json ? `${JSON.stringify({ ...key, secret })}\n` : `${describe(key)}\nsecret: ${secret}\n(shown once: store it now)\n`);
    });
  keys
    .command('revoke')
    .description('revoke a key by id or prefix')
    .argument('<idOrPrefix>')
    .action(async (idOrPrefix: string) => {
      const key = await (await admin()).revoke(idOrPrefix);
      output.out(`revoked ${describe(key)}\n`);
    });
  keys
    .command('list')
    .description('list every key (id, prefix, role, rate limit, state, name)')
    .option('--json', 'one JSON object per line')
    .action(async (options: { json?: boolean }) => {
      const all = await (await admin()).list();
      output.out(all.map((k) => (options.json ? JSON.stringify(k) : describe(k))).join('\n') + (all.length > 0 ? '\n' : ''));
    });
  return keys;
}

/**
 * Runs `keys …` (argv without node and script) against the database of the environment; returns the exit code:
 * 0 done, 1 failed, 2 usage error.
 */
export async function runKeysCli(args: string[], env: NodeJS.ProcessEnv, output: CliOutput): Promise<number> {
  const config = loadConfig('gateway', GatewayConfig, env);
  const dataSource = createDataSource(config.RSTAR_DATABASE_URL);
  const open = async (): Promise<ApiKeyStore> => {
    if (config.RSTAR_DATABASE_MIGRATE) await migrate(dataSource);
    else await dataSource.initialize();
    return openStores(dataSource).apiKeys;
  };
  const program = new Command('gateway').addCommand(keysCommand(open, config.RSTAR_DEFAULT_RATE_LIMIT, output));
  // Added sub-commands do not inherit these settings: set them on each.
  for (const command of [program, ...program.commands, ...program.commands.flatMap((c) => c.commands)]) {
    command.exitOverride().configureOutput({ writeOut: (s) => output.out(s), writeErr: (s) => output.err(s) });
  }
  try {
    await program.parseAsync(args, { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    output.err(`gateway: ${error instanceof GatewayError ? `${error.code}: ${error.message}` : error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
  }
}
