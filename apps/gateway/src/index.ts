// What the e2e suite and other callers use to run the gateway in process.
export { createGatewayApp, type GatewayAppOptions } from './gateway.app.js';
export { GatewayConfig } from './gateway.config.js';
export type { GatewayPorts, JobDispatcher, ProgressFeed, ProgressStream, PolicyProbe, DependencyProbes } from './gateway.ports.js';
export { jetStreamDispatcher, natsProgressFeed, openGatewayPorts, type GatewayMessagingOptions } from './open-gateway-ports.js';
export { GatewayErrorCode } from './errors/gateway-error.js';
export { GRAPHQL_PATH } from './graphql.options.js';
