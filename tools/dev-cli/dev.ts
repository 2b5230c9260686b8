// The local deployment: tools/infra (NATS, PostgreSQL, Kafka) plus the CPU model server and every service,
// started from their bundles as the k8s cpu-dev overlay runs them. Run through tools/dev.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { DEV_STACK_ORDER, devStackConfig, devStackServices, ProcessStack, type DevStackService } from '@rstar/dev-stack';

const root = process.env['RSTAR_HOME'] ?? process.cwd();
const dir = join(root, '.rstar', 'dev');
const say = (message: string): void => void process.stderr.write(`[dev] ${message}\n`);

function stack(): ProcessStack {
  return new ProcessStack({ dir, detached: true, onStatus: say });
}

/** A dev admin token, made once and kept under .rstar/dev (never committed). */
function adminToken(): string {
  const file = join(dir, 'admin-token');
  if (process.env['RSTAR_ADMIN_TOKEN']) return process.env['RSTAR_ADMIN_TOKEN'];
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dir, { recursive: true });
  const token = `rdev_${randomBytes(24).toString('base64url')}`;
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return token;
}

function parseServices(names: string[]): DevStackService[] {
  if (names.length === 0) return [...DEV_STACK_ORDER];
  for (const n of names) if (!(DEV_STACK_ORDER as readonly string[]).includes(n)) throw new Error(`unknown service ${n} (one of ${DEV_STACK_ORDER.join(', ')})`);
  return DEV_STACK_ORDER.filter((s) => names.includes(s));
}

const program = new Command('tools/dev').description('Start and stop the local rStar deployment (infrastructure, CPU model server, services).');

program
  .command('up')
  .description('start every service that is not running and wait until all are ready')
  .argument('[services...]', `a subset of: ${DEV_STACK_ORDER.join(', ')}`)
  .action(async (names: string[]) => {
    const config = { ...devStackConfig(root), adminToken: adminToken() };
    const s = stack();
    for (const spec of devStackServices(config, parseServices(names))) {
      const pid = s.pid(spec.name);
      if (pid !== null) say(`${spec.name} already running (pid ${pid})`);
      else await s.start(spec);
    }
    process.stdout.write(
      [
        `gateway   http://${config.host}:${config.ports.gateway}/graphql (GraphQL, subscriptions over graphql-ws on the same path)`,
        `admin     token in ${join(dir, 'admin-token')} (Authorization: Bearer <token>; issue API keys with mutation issueApiKey)`,
        `logs      ${dir}/<service>.log`,
        '',
      ].join('\n'),
    );
  });

program
  .command('down')
  .description('stop the services (the infrastructure keeps running unless --infra)')
  .option('--infra', 'also stop NATS, PostgreSQL and Kafka (tools/infra down)', false)
  .action(async () => {
    await stack().stopAll([...DEV_STACK_ORDER].reverse(), 60_000);
  });

program
  .command('status')
  .description('one line per service: running (pid) or stopped; exit 1 unless all run')
  .action(() => {
    const s = stack();
    let all = true;
    for (const name of DEV_STACK_ORDER) {
      const pid = s.pid(name);
      all &&= pid !== null;
      process.stdout.write(`${name.padEnd(13)} ${pid === null ? 'stopped' : `running (pid ${pid})`}\n`);
    }
    process.exitCode = all ? 0 : 1;
  });

program.parseAsync(process.argv).catch((error: unknown) => {
  say(`error: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
