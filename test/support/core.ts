// Starts a real core in this process on ephemeral 127.0.0.1 ports, with a fetch helper that carries the token.
import { createPlatform, type PlatformHandle, type PlatformOptions } from '../../core/platform.js';
import type { PlatformRuntime } from '../../core/platform-types.js';

export interface RunningCore {
  platform: PlatformHandle;
  runtime: PlatformRuntime;
  /** fetch against the API with the bearer token (override headers to test refusals). */
  api(path: string, init?: RequestInit): Promise<Response>;
  stop(): Promise<void>;
}

export async function startCore(options: Partial<PlatformOptions> & { dataDir: string }): Promise<RunningCore> {
  const platform = createPlatform({
    apiPort: 0,
    mqttPort: 0,
    coapPort: 0,
    northboundPort: 0,
    bindPort: 0,
    deviceBindAddress: '127.0.0.1',
    logLevel: 'warn',
    ...options,
  });
  const runtime = await platform.start();
  return {
    platform,
    runtime,
    api: (path, init = {}) =>
      fetch(runtime.apiUrl + path, {
        ...init,
        headers: { authorization: `Bearer ${runtime.token}`, ...(init.headers as Record<string, string>) },
      }),
    stop: () => platform.stop(),
  };
}
