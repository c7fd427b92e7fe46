// What other capabilities use of applications: the registry (login, tokens, device ownership, history switch).
export { createAppsCapability, type AppsCapability } from './apps-capability.js';
export { AppRegistry, AuthRefusal, ACCESS_TOKEN_TTL_S, type AppIdentity, type IssuedTokens } from './app-registry.js';
