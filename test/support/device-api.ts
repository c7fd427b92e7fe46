// Calls contract routes against a running core, and MQTT device credentials for tests of device access.
import { fillPath, type RouteContract, type RouteRequest, type RouteResponse } from '../../core/contract/index.js';
import { mqttPassword, timestampOf } from '../../core/protocols/mqtt/device-credentials.js';
import type { RunningCore } from './core.js';

export class ApiCallError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly path: string | undefined,
    message: string,
  ) {
    super(`${status} ${code}: ${message}`);
  }
}

export function contractCaller(core: () => RunningCore) {
  return async function call<R extends RouteContract>(
    route: R,
    request: Partial<RouteRequest<R>> = {},
  ): Promise<RouteResponse<R>> {
    const { params, query, body } = request as {
      params?: Record<string, unknown>;
      query?: Record<string, string>;
      body?: unknown;
    };
    const search = query ? `?${new URLSearchParams(query).toString()}` : '';
    const response = await core().api(fillPath(route.path, params) + search, {
      method: route.method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await response.json()) as { code?: string; path?: string; message?: string };
    if (!response.ok) throw new ApiCallError(response.status, json.code ?? '', json.path, json.message ?? '');
    return route.response.parse(json) as RouteResponse<R>;
  };
}

export interface MqttLogin {
  clientId: string;
  username: string;
  password: string;
}

/** The login a device computes (§2.1 / §3.1): clientId `{id}_{authType}_{signType}_{YYYYMMDDHH}`. */
export function deviceLogin(
  id: string,
  secret: string,
  options: { nowMs?: number; signType?: 0 | 1; authType?: 0 | 2 } = {},
): MqttLogin {
  const timestamp = timestampOf(options.nowMs ?? Date.now());
  return {
    clientId: `${id}_${options.authType ?? 0}_${options.signType ?? 0}_${timestamp}`,
    username: id,
    password: mqttPassword(secret, timestamp),
  };
}

/** Polls until `check` returns a value (real sockets need real time; the core's clock may be manual). */
export async function eventually<T>(check: () => Promise<T | undefined> | T | undefined, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}
