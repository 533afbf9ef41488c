/** The dashboard server: `startServer` and the WebSocket protocol's types. */
export { DEFAULT_HOST, DEFAULT_POLL_MS, DEFAULT_PORT, type DashboardServer, isLoopback, type ServerOptions, startServer } from './server.js';
export { CLOSE_TOO_SLOW, type ClientInfo } from './client.js';
export * from './protocol.js';
