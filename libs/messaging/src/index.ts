export * from './nats-connection.js';
// Request/reply over NATS (the policy, ppm and sandbox services and their clients).
export * from './rpc.js';
export * from './nats-rpc-client.js';
export * from './nats-policy-client.js';
export * from './nats-ppm-client.js';
export * from './nats-sandbox-client.js';
export * from './nats-grader-client.js';
// Solve jobs: the JetStream work queue, progress events, finished trees on Kafka.
export * from './solve-job-queue.js';
export * from './solve-progress-bus.js';
export * from './trajectory-publisher.js';
export * from './trajectory-consumer.js';
