#!/usr/bin/env node
import { CommanderError } from 'commander';
import { CpuModelServer, InvalidConfigError, ModelNotFoundError, type CpuModelServerConfig } from '@rstar/model-server';
import { parseArgs } from './cli-options.js';
import { resolveServedModel } from './registered-model.js';

function fail(message: string, exitCode: number): void {
  process.stderr.write(`model-server: error: ${message}\n`);
  process.exitCode = exitCode;
}

async function main(): Promise<void> {
  let config: CpuModelServerConfig;
  try {
    config = parseArgs(process.argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander already printed the help, the version or the usage error.
      process.exitCode = error.exitCode === 0 ? 0 : 2;
      return;
    }
    if (error instanceof InvalidConfigError) return fail(error.message, 2);
    throw error;
  }

  let server: CpuModelServer;
  try {
    server = await CpuModelServer.create({ ...config, model: await resolveServedModel(config.model) });
  } catch (error) {
    if (error instanceof ModelNotFoundError) return fail(error.message, 1);
    return fail(`cannot load the model: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`, 1);
  }

  let url: string;
  try {
    url = await server.start();
  } catch (error) {
    await server.close();
    const code: unknown = error instanceof Error ? Reflect.get(error, 'code') : undefined;
    if (code === 'EADDRINUSE') return fail(`port ${config.port} on ${config.host} is already in use (try --port 0)`, 1);
    return fail(`cannot listen on ${config.host}:${config.port}: ${error instanceof Error ? error.message : String(error)}`, 1);
  }

  // Graceful shutdown: in-flight generations are aborted (they answer 503), then the model is freed.
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      process.exit(130); // a second signal: do not wait
    }
    stopping = true;
    process.stderr.write(`model-server: ${signal}, shutting down\n`);
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        fail(`shutdown failed: ${error instanceof Error ? error.message : String(error)}`, 1);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  const info = server.engine.info();
  process.stdout.write(`${url}\n`);
  process.stderr.write(
    `model-server: serving ${info.model} at ${url} (${info.threads} threads, ${info.parallel} parallel sequences, ` +
      `${info.contextSize}-token context each, ${info.gpu === false ? 'CPU' : info.gpu})\n`,
  );
}

await main();
