import { getIntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, TestGateway } from './harness.js';

// Access and limits: API keys, rate limits, query depth and complexity, input and body size.

const SOLVE = 'mutation Solve($input: SolveInput!) { solve(input: $input) { id status } }';
const PING = '{ health { status } }';

let gateway: TestGateway;

beforeAll(async () => {
  gateway = await TestGateway.start({ RSTAR_MAX_BODY_BYTES: '65536', RSTAR_MAX_PROBLEM_CHARS: '200', RSTAR_MAX_ROLLOUTS: '16', RSTAR_MAX_WIDTH: '8' });
});

afterAll(async () => {
  await gateway?.close();
});

describe('API keys', () => {
  it('refuses a request without a key: UNAUTHENTICATED, HTTP 401, a correlation id, no stack', async () => {
    const res = await gateway.graphql(PING, {}, { correlationId: 'req-without-key' });
    expect(res.status).toBe(401);
    expect(res.body.data).toBeUndefined();
    expect(res.body.errors).toHaveLength(1);
    const [error] = res.body.errors!;
    expect(error!.extensions).toEqual({ code: 'UNAUTHENTICATED', correlationId: 'req-without-key' });
    expect(error!.message).toMatch(/API key is required/);
    expect(res.headers['x-correlation-id']).toBe('req-without-key');
  });

  it('refuses an unknown key with UNAUTHENTICATED', async () => {
    for (const key of ['rsk_' + 'A'.repeat(43), 'not-even-a-key']) {
      const res = await gateway.graphql(PING, {}, { key });
      expect(res.status).toBe(401);
      expect(res.body.errors?.[0]?.extensions.code).toBe('UNAUTHENTICATED');
      expect(res.body.errors?.[0]?.extensions.correlationId).toMatch(/^[\w-]+$/);
    }
  });

  it('serves a valid key, by Authorization: Bearer or x-api-key', async () => {
    const { secret } = await gateway.issueKey();
    expect((await gateway.graphql(PING, {}, { key: secret })).body.data).toEqual({ health: { status: 'ok' } });
    expect((await gateway.graphql(PING, {}, { key: secret, header: 'x-api-key' })).body.data).toEqual({ health: { status: 'ok' } });
  });

  it('refuses a revoked key with API_KEY_REVOKED', async () => {
    const { secret, prefix } = await gateway.issueKey();
    expect((await gateway.graphql(PING, {}, { key: secret })).status).toBe(200);
    await gateway.stores.apiKeys.revoke(prefix);
    const res = await gateway.graphql(PING, {}, { key: secret });
    expect(res.status).toBe(401);
    expect(res.body.errors?.[0]?.extensions.code).toBe('API_KEY_REVOKED');
  });

  it('keeps admin operations to admin keys and the bootstrap token', async () => {
    const client = await gateway.issueKey();
    const issue = 'mutation { issueApiKey(name: "tutor-app", rateLimitPerMinute: 5) { secret key { id prefix role rateLimitPerMinute revokedAt } } }';
    const refused = await gateway.graphql(issue, {}, { key: client.secret });
    expect(refused.body.errors?.[0]?.extensions.code).toBe('FORBIDDEN');
    expect(refused.body.errors?.[0]?.path).toEqual(['issueApiKey']);
    expect((await gateway.graphql('{ apiKeys { id } }', {}, { key: client.secret })).body.errors?.[0]?.extensions.code).toBe('FORBIDDEN');

    // The bootstrap token issues an admin key; that key administers too.
    const adminIssue = await gateway.graphql('mutation { issueApiKey(name: "ops", role: ADMIN) { secret key { role rateLimitPerMinute } } }', {}, { key: ADMIN_TOKEN });
    const admin = (adminIssue.body.data as { issueApiKey: { secret: string; key: { role: string; rateLimitPerMinute: number } } }).issueApiKey;
    expect(admin.key).toEqual({ role: 'ADMIN', rateLimitPerMinute: 10000 });

    const issued = await gateway.graphql(issue, {}, { key: admin.secret });
    const tutor = (issued.body.data as { issueApiKey: { secret: string; key: { id: string; prefix: string; role: string; rateLimitPerMinute: number } } }).issueApiKey;
    expect(tutor.key).toMatchObject({ role: 'CLIENT', rateLimitPerMinute: 5, revokedAt: null });
    expect(tutor.secret.startsWith(tutor.key.prefix)).toBe(true);
    expect((await gateway.graphql(PING, {}, { key: tutor.secret })).status).toBe(200);

    const listed = await gateway.graphql('{ apiKeys { id prefix name } }', {}, { key: admin.secret });
    expect(JSON.stringify(listed.body.data)).toContain(tutor.key.id);
    expect(JSON.stringify(listed.body.data)).not.toContain(tutor.secret);

    const revoked = await gateway.graphql('mutation R($k: String!) { revokeApiKey(idOrPrefix: $k) { id revokedAt } }', { k: tutor.key.prefix }, { key: ADMIN_TOKEN });
    expect((revoked.body.data as { revokeApiKey: { revokedAt: string | null } }).revokeApiKey.revokedAt).not.toBeNull();
    expect((await gateway.graphql(PING, {}, { key: tutor.secret })).body.errors?.[0]?.extensions.code).toBe('API_KEY_REVOKED');

    const unknown = await gateway.graphql('mutation { revokeApiKey(idOrPrefix: "rsk_nosuchkey") { id } }', {}, { key: ADMIN_TOKEN });
    expect(unknown.body.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', field: 'idOrPrefix' });
  });
});

describe('rate limits', () => {
  it('refuses a burst over the limit with RATE_LIMITED while another key is served', async () => {
    const burst = await gateway.issueKey({ rate: 5 });
    const other = await gateway.issueKey({ rate: 5 });
    const statuses: number[] = [];
    const codes: (string | undefined)[] = [];
    const responses = await Promise.all(Array.from({ length: 8 }, () => gateway.graphql(PING, {}, { key: burst.secret })));
    for (const res of responses) {
      statuses.push(res.status);
      codes.push(res.body.errors?.[0]?.extensions.code);
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(3);
    expect(codes.filter((c) => c === 'RATE_LIMITED')).toHaveLength(3);
    const limited = responses.find((r) => r.status === 429)!;
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.body.errors?.[0]?.extensions).toMatchObject({ limit: 5 });

    const served = await gateway.graphql(PING, {}, { key: other.secret });
    expect(served.status).toBe(200);
    expect(served.body.data).toEqual({ health: { status: 'ok' } });
  });
});

describe('query limits', () => {
  it('refuses a query nested deeper than RSTAR_MAX_QUERY_DEPTH with QUERY_TOO_DEEP', async () => {
    const { secret } = await gateway.issueKey();
    const deep = '{ datasets { nodes { problems { nodes { dataset { problems { nodes { dataset { problems { nodes { id } } } } } } } } } } }';
    const res = await gateway.graphql(deep, {}, { key: secret });
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]?.extensions.code).toBe('QUERY_TOO_DEEP');
    expect(res.body.errors?.[0]?.message).toContain('exceeds maximum operation depth of 8');
    // At the limit it runs.
    const ok = await gateway.graphql("{ datasets(first: 1) { nodes { problems(first: 1) { nodes { dataset { problems(first: 1) { nodes { id } } } } } } } }", {}, { key: secret });
    expect(ok.body.errors).toBeUndefined();
  });

  it('refuses a query costlier than RSTAR_MAX_QUERY_COMPLEXITY with QUERY_TOO_COMPLEX', async () => {
    const { secret } = await gateway.issueKey();
    const costly = '{ solveJobs(first: 100) { nodes { id tree { nodes { id q visits reasoning code } edges { from to } } } } }';
    const res = await gateway.graphql(costly, {}, { key: secret });
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 1000 });
    // The cost depends on the variables.
    const byVariable = 'query J($n: Int!) { solveJobs(first: $n) { nodes { id tree { nodes { id q } } } } }';
    expect((await gateway.graphql(byVariable, { n: 100 }, { key: secret })).body.errors?.[0]?.extensions.code).toBe('QUERY_TOO_COMPLEX');
    expect((await gateway.graphql(byVariable, { n: 2 }, { key: secret })).body.errors).toBeUndefined();
  });

  it('lets the standard introspection query through (schema tooling)', async () => {
    const { secret } = await gateway.issueKey();
    const res = await gateway.graphql(getIntrospectionQuery(), {}, { key: secret });
    expect(res.body.errors).toBeUndefined();
    expect(JSON.stringify(res.body.data)).toContain('solveProgress');
  });

  it('reports syntax and validation errors with their codes', async () => {
    const { secret } = await gateway.issueKey();
    expect((await gateway.graphql('{ health {', {}, { key: secret })).body.errors?.[0]?.extensions.code).toBe('GRAPHQL_PARSE_FAILED');
    expect((await gateway.graphql('{ nope }', {}, { key: secret })).body.errors?.[0]?.extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    const badVariable = await gateway.graphql(SOLVE, { input: { problem: 'x', budget: { rollouts: 'many' } } }, { key: secret });
    expect(badVariable.body.errors?.[0]?.extensions.code).toBe('BAD_USER_INPUT');
  });
});

describe('input limits', () => {
  it('refuses an oversized problem with INPUT_TOO_LARGE', async () => {
    const { secret } = await gateway.issueKey();
    const res = await gateway.graphql(SOLVE, { input: { problem: 'x'.repeat(201) } }, { key: secret });
    expect(res.body.data).toBeNull();
    expect(res.body.errors?.[0]?.extensions).toMatchObject({ code: 'INPUT_TOO_LARGE', field: 'problem', limit: 200 });
    expect(res.body.errors?.[0]?.path).toEqual(['solve']);
  });

  it.each([
    [{ rollouts: 17 }, 'budget.rollouts'],
    [{ rollouts: 0 }, 'budget.rollouts'],
    [{ width: 9 }, 'budget.width'],
  ])('refuses the budget %j with BAD_USER_INPUT on %s', async (budget, field) => {
    const { secret } = await gateway.issueKey();
    const res = await gateway.graphql(SOLVE, { input: { problem: '1+1?', budget } }, { key: secret });
    expect(res.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
  });

  it('refuses a body over RSTAR_MAX_BODY_BYTES with 413 INPUT_TOO_LARGE', async () => {
    const { secret } = await gateway.issueKey();
    const res = await gateway.graphql(SOLVE, { input: { problem: 'y'.repeat(70_000) } }, { key: secret });
    expect(res.status).toBe(413);
    expect(res.body.errors?.[0]?.extensions).toMatchObject({ code: 'INPUT_TOO_LARGE' });
    expect(res.body.errors?.[0]?.extensions.correlationId).toBeTruthy();
  });
});

describe('health endpoints', () => {
  it('answers /healthz and /readyz (database and NATS) without a key', async () => {
    const request = (await import('supertest')).default;
    expect((await request(gateway.server).get('/healthz')).status).toBe(200);
    const ready = await request(gateway.server).get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ ready: true, checks: { database: 'up', nats: 'up' } });
  });

  it('reports each component in the health query', async () => {
    const { secret } = await gateway.issueKey();
    const res = await gateway.graphql('{ health { status components { name status detail } } }', {}, { key: secret });
    expect(res.body.data).toEqual({
      health: {
        status: 'ok',
        components: [
          { name: 'gateway', status: 'up', detail: null },
          { name: 'database', status: 'up', detail: null },
          { name: 'nats', status: 'up', detail: null },
          { name: 'policy', status: 'up', detail: 'smollm2-135m at http://127.0.0.1:8000' },
        ],
      },
    });
  });
});
