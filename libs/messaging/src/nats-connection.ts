import { connect, type NatsConnection } from '@nats-io/transport-node';

export type { NatsConnection };

/** Connects to NATS, reconnecting for ever: a broker restart must not take a service down. */
export async function connectNats(url: string, name: string): Promise<NatsConnection> {
  try {
    return await connect({ servers: url.split(','), name, maxReconnectAttempts: -1, reconnectTimeWait: 1000 });
  } catch (error) {
    throw new Error(`cannot reach NATS at ${url}: ${error instanceof Error ? error.message : String(error)}`);
  }
}
