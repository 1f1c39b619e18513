export { createApp, type AuthAppDeps } from './app.js';
export { loadConfig, type AuthConfig } from './config.js';
