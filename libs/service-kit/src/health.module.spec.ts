import { HttpException } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { HealthController, ReadinessRegistry } from './health.module.js';

describe('ReadinessRegistry', () => {
  it('is ready when every check passes, sync or async', async () => {
    const registry = new ReadinessRegistry();
    registry.register('nats', () => undefined);
    registry.register('model-server', async () => {});
    expect(await registry.report()).toEqual({ ready: true, checks: { nats: 'up', 'model-server': 'up' } });
  });

  it('names each failing check with its reason', async () => {
    const registry = new ReadinessRegistry();
    registry.register('nats', () => undefined);
    registry.register('model-server', () => Promise.reject(new Error('ECONNREFUSED')));
    registry.register('pool', () => {
      throw new Error('no runtime alive');
    });
    expect(await registry.report()).toEqual({
      ready: false,
      checks: { nats: 'up', 'model-server': 'down: ECONNREFUSED', pool: 'down: no runtime alive' },
    });
  });

  it('does not wait for a check that hangs', async () => {
    const registry = new ReadinessRegistry();
    registry.register('slow', () => new Promise(() => undefined));
    const started = performance.now();
    expect(await registry.report(50)).toEqual({ ready: false, checks: { slow: 'down: no answer within 50 ms' } });
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('replaces a check registered again under the same name', async () => {
    const registry = new ReadinessRegistry();
    registry.register('db', () => Promise.reject(new Error('down')));
    registry.register('db', () => undefined);
    expect((await registry.report()).ready).toBe(true);
  });

  it('fails once draining, whatever the checks say', async () => {
    const registry = new ReadinessRegistry();
    registry.register('nats', () => undefined);
    registry.markDraining();
    expect(await registry.report()).toEqual({ ready: false, checks: { nats: 'up', shutdown: 'down: draining' } });
  });
});

describe('HealthController', () => {
  it('answers /readyz with the report, or 503 with it', async () => {
    const registry = new ReadinessRegistry();
    const controller = new HealthController(registry);
    expect(controller.live()).toEqual({ status: 'ok' });
    expect(await controller.ready()).toEqual({ ready: true, checks: {} });
    registry.register('db', () => Promise.reject(new Error('refused')));
    const error = await controller.ready().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpException);
    expect((error as HttpException).getStatus()).toBe(503);
    expect((error as HttpException).getResponse()).toEqual({ ready: false, checks: { db: 'down: refused' } });
  });
});
