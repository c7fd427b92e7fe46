// `iotwb simulate --protocol lwm2m`: simulated NB-IoT devices in this process, against a running core's CoAP port;
// the devices it needs are registered through the core's API, frames come from the product's layout codec or --hex.
import type { CliIo } from '../../cli.js';
import { systemClock } from '../../clock.js';
import { parseLayoutSource } from '../../codecs/index.js';
import {
  apiRoutes,
  fillPath,
  productModelSchema,
  startFleetBodySchema,
  type RouteContract,
} from '../../contract/index.js';
import { deviceIdOf } from '../../devices/index.js';
import { parseOtaFaultFlags } from '../ota-fault-flags.js';
import { untilStopped } from '../until-stopped.js';
import { Lwm2mFleets, SimulatorError } from './lwm2m-fleet.js';

export const simulateLwm2mUsage = `iotwb simulate --protocol lwm2m --product ID [--count N] [--rate R] [--hex HEX]
            [--first-node-id N] [--lifetime S] [--duration S] [--core URL --token T] [--coap HOST:PORT]
            [--ota-fault F[@WHO] …]
  --product ID       a CoAP/LwM2M product of the core
  --count N          devices (default 1); nodeIds are 15-digit IMEIs, or consecutive from --first-node-id
  --rate R           reports per second of each device (default 0.0167 = one a minute; 0 = none)
  --hex HEX          report this frame every time (default: frames built by the product's layout codec)
  --lifetime S       registration lifetime in seconds (default 86400)
  --duration S       stop after S seconds (default: run until Ctrl+C)
  --core URL         the core's API (or env IOTWB_CORE_URL), e.g. http://127.0.0.1:41234
  --token T          its API token (or env IOTWB_TOKEN)
  --coap HOST:PORT   the core's CoAP server (default: the --core host and the core's coap port)`;

export const simulateLwm2mOptions = {
  protocol: { type: 'string' },
  product: { type: 'string' },
  count: { type: 'string' },
  rate: { type: 'string' },
  hex: { type: 'string' },
  'first-node-id': { type: 'string' },
  lifetime: { type: 'string' },
  duration: { type: 'string' },
  core: { type: 'string' },
  token: { type: 'string' },
  coap: { type: 'string' },
  'ota-fault': { type: 'string', multiple: true },
} as const;

const PROGRESS_EVERY_MS = 5000;

class CoreApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function coreClient(baseUrl: string, token: string) {
  return async function call(route: RouteContract, params?: Record<string, string>, body?: unknown): Promise<unknown> {
    const response = await fetch(baseUrl.replace(/\/+$/, '') + fillPath(route.path, params), {
      method: route.method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const json = (await response.json().catch(() => ({}))) as { code?: string; message?: string };
    if (!response.ok) {
      throw new CoreApiError(response.status, json.code ?? 'HTTP_ERROR', json.message ?? response.statusText);
    }
    return json;
  };
}

const text = (v: string | boolean | string[] | undefined): string | undefined =>
  typeof v === 'string' ? v : undefined;

/** The repeatable --ota-fault values (parseArgs gives an array for a `multiple` option). */
export function otaFaultFlags(values: Record<string, unknown>): string[] {
  const raw = values['ota-fault'];
  return Array.isArray(raw) ? raw.filter((v): v is string => typeof v === 'string') : [];
}

export async function simulateLwm2m(
  values: Record<string, string | boolean | string[] | undefined>,
  io: CliIo,
): Promise<number> {
  const fail = (message: string, code = 2) => {
    io.err(`simulate: ${message}`);
    return code;
  };
  const coreUrl = text(values.core) ?? process.env.IOTWB_CORE_URL;
  const token = text(values.token) ?? process.env.IOTWB_TOKEN;
  if (!coreUrl || !token) return fail('--core URL and --token T (or IOTWB_CORE_URL / IOTWB_TOKEN) are required');
  const rate = values.rate === undefined ? 1 / 60 : Number(values.rate);
  if (!Number.isFinite(rate) || rate < 0 || rate > 100)
    return fail('--rate must be a number of reports per second, 0 to 100');
  const count = values.count === undefined ? 1 : Number(values.count);
  const faults = parseOtaFaultFlags(otaFaultFlags(values), 'lwm2m', Number.isInteger(count) ? count : 1);
  if ('error' in faults) return fail(faults.error);
  const parsed = startFleetBodySchema.safeParse({
    productId: text(values.product),
    count,
    otaFaults: faults.groups,
    intervalS: rate === 0 ? 0 : 1 / rate,
    ...(text(values.hex) ? { hex: text(values.hex) } : {}),
    ...(text(values['first-node-id']) ? { firstNodeId: text(values['first-node-id']) } : {}),
    ...(values.lifetime !== undefined ? { lifetimeS: Number(values.lifetime) } : {}),
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const flag = {
      productId: '--product',
      count: '--count',
      intervalS: '--rate',
      hex: '--hex',
      firstNodeId: '--first-node-id',
      lifetimeS: '--lifetime',
    }[String(issue?.path[0])];
    return fail(`${flag ?? String(issue?.path[0])}: ${issue?.message ?? 'invalid'}`);
  }
  const durationS = values.duration === undefined ? undefined : Number(values.duration);
  if (durationS !== undefined && !(durationS > 0)) return fail('--duration must be a positive number of seconds');

  const call = coreClient(coreUrl, token);
  let server: { host: string; port: number };
  try {
    const coap = text(values.coap);
    if (coap) {
      const match = /^\[?([^\]]+?)\]?:(\d+)$/.exec(coap);
      if (!match) return fail('--coap must be HOST:PORT');
      server = { host: match[1]!, port: Number(match[2]) };
    } else {
      const info = (await call(apiRoutes.info)) as { ports: Record<string, number> };
      const port = info.ports.coap;
      if (!port) return fail('the core has no CoAP port open', 1);
      server = { host: new URL(coreUrl).hostname.replace(/^\[|\]$/g, ''), port };
    }
  } catch (error) {
    return fail(`cannot reach the core at ${coreUrl}: ${error instanceof Error ? error.message : String(error)}`, 1);
  }

  const fleets = new Lwm2mFleets({
    clock: systemClock,
    server: () => server,
    product: async (id) => {
      try {
        const product = (await call(apiRoutes.getProduct, { id })) as { model: unknown };
        return { model: productModelSchema.parse(product.model) };
      } catch (error) {
        if (error instanceof CoreApiError && error.status === 404) return undefined;
        throw error;
      }
    },
    layout: async (id) => {
      try {
        const codec = (await call(apiRoutes.getCodec, { id })) as { active: { kind: string; source: string } | null };
        if (codec.active?.kind !== 'layout') return undefined;
        const layout = parseLayoutSource(codec.active.source);
        return layout.ok ? layout.layout : undefined;
      } catch {
        return undefined;
      }
    },
    ensureDevice: async (productId, nodeId) => {
      try {
        await call(apiRoutes.registerDevice, undefined, { productId, nodeId });
      } catch (error) {
        if (!(error instanceof CoreApiError && error.code === 'DEVICE_EXISTS')) throw error;
      }
      return deviceIdOf(productId, nodeId);
    },
  });

  let fleetId: string;
  try {
    const fleet = await fleets.start(parsed.data);
    fleetId = fleet.id;
    const registered = fleet.devices.filter((d) => d.state === 'registered').length;
    io.out(
      `simulate: ${registered} of ${fleet.devices.length} LwM2M devices of ${fleet.productId} registered with ${server.host}:${server.port}` +
        (parsed.data.intervalS > 0 ? `, reporting every ${Number(parsed.data.intervalS.toFixed(3))} s` : ''),
    );
    for (const d of fleet.devices.filter((x) => x.error)) io.err(`simulate: ${d.nodeId}: ${d.error ?? ''}`);
  } catch (error) {
    if (error instanceof SimulatorError || error instanceof CoreApiError) return fail(error.message, 1);
    return fail(error instanceof Error ? error.message : String(error), 1);
  }

  const progress = setInterval(() => {
    const devices = fleets.get(fleetId).devices;
    const registered = devices.filter((d) => d.state === 'registered').length;
    const reports = devices.reduce((n, d) => n + d.uplinks, 0);
    io.out(`simulate: ${registered}/${devices.length} registered, ${reports} reports`);
  }, PROGRESS_EVERY_MS);
  await untilStopped(durationS);
  clearInterval(progress);
  const summary = fleets.get(fleetId);
  const uplinks = summary.devices.reduce((n, d) => n + d.uplinks, 0);
  await fleets.stop(fleetId);
  io.out(`simulate: stopped; ${summary.devices.length} devices sent ${uplinks} reports`);
  return 0;
}
