import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { loadConfig, ReadinessRegistry } from '@rstar/service-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { BlockingPolicy, delivery, fakePorts, type FakePorts } from '../test/doubles.js';
import { SearchConfig } from './search.config.js';
import { SearchModule } from './search.module.js';
import { SearchWorkerService } from './search-worker.service.js';

let app: INestApplication | null = null;

afterEach(async () => {
  await app?.close();
  app = null;
});

async function start(ports: FakePorts, env: Record<string, string> = {}): Promise<INestApplication> {
  const config = loadConfig('search', SearchConfig, { RSTAR_LOG_LEVEL: 'fatal', RSTAR_WORKER_ID: 'worker-t', ...env });
  const moduleRef = await Test.createTestingModule({ imports: [SearchModule.forRoot(config, ports)] }).compile();
  app = moduleRef.createNestApplication({ logger: false });
  await app.init();
  return app;
}

describe('SearchWorkerService', () => {
  it('consumes the queue with the configured concurrency and reports ready', async () => {
    const ports = fakePorts();
    const nest = await start(ports, { RSTAR_SEARCH_CONCURRENCY: '3' });
    expect(ports.queue.consumed).toHaveLength(1);
    expect(ports.queue.consumed[0]!.options.concurrency).toBe(3);
    expect(ports.outbox.runs).toBe(1);
    expect(await nest.get(ReadinessRegistry).report()).toEqual({ ready: true, checks: { database: 'up', 'job-consumer': 'up' } });

    const job = ports.jobs.add();
    expect(await ports.queue.consumed[0]!.handler(delivery(job.id))).toEqual({ action: 'ack' });
    expect(ports.jobs.jobs.get(job.id)).toMatchObject({ status: 'succeeded', workerId: 'worker-t' });
  });

  it('on shutdown stops pulling, hands the job in flight back, then closes the connections', async () => {
    const policy = new BlockingPolicy();
    const ports = fakePorts({ policy });
    const nest = await start(ports);
    const { handler, options } = ports.queue.consumed[0]!;
    const job = ports.jobs.add();
    const handled = handler(delivery(job.id));
    await policy.started;
    expect(nest.get(SearchWorkerService).inFlight).toBe(1);

    await nest.close();
    app = null;
    expect(options.signal.aborted).toBe(true);
    expect(await handled).toEqual({ action: 'nak', delayMs: 0 });
    expect(ports.jobs.jobs.get(job.id)).toMatchObject({ status: 'queued', workerId: null });
    expect(ports.outbox.stopped).toBe(1);
    expect(ports.closed).toBe(1);
  });

  it('restarts the consumer when it fails, and is not ready meanwhile', async () => {
    const ports = fakePorts();
    let calls = 0;
    const idle = ports.queue.consume.bind(ports.queue);
    ports.queue.consume = (handler, options) => {
      calls++;
      return calls === 1 ? Promise.reject(new Error('consumer deleted')) : idle(handler, options);
    };
    const nest = await start(ports);
    await new Promise((r) => setTimeout(r, 50));
    const report = await nest.get(ReadinessRegistry).report();
    expect(report.checks['job-consumer']).toBe('down: job consumer stopped: consumer deleted');
  });
});
