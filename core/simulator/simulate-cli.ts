// `iotwb simulate`: virtual devices of a product against a running core, registered through its API as needed.
// --protocol mqtt (default) runs MQTT devices here; --protocol lwm2m hands over to the LwM2M simulator.
import type { CliCommand, CliIo } from '../cli.js';
import { systemClock } from '../clock.js';
import {
  apiRoutes,
  fillPath,
  platformInfoSchema,
  productSchema,
  registeredDeviceSchema,
  simulatorDialects,
  type RouteContract,
  type SimulatorDialect,
} from '../contract/index.js';
import { deviceIdOf, parseCsv } from '../devices/index.js';
import { otaFaultFlags, simulateLwm2m, simulateLwm2mOptions, simulateLwm2mUsage } from './lwm2m/cli.js';
import { otaFaultUsage, parseOtaFaultFlags } from './ota-fault-flags.js';
import { MqttSimulations, SimulationError } from './mqtt/mqtt-simulations.js';
import { untilStopped } from './until-stopped.js';

const PROGRESS_EVERY_MS = 5000;

const mqttUsage = `iotwb simulate [--protocol mqtt] --product ID [--count N] [--rate R] [--dialect iotda|legacy]
            [--prefix P] [--duration S] [--core URL --token T] [--mqtt HOST:PORT]
            [--gateway --sub-product ID [--sub-devices N]] [--fw-version V] [--sw-version V] [--ota-fault F[@WHO] …]
  --product ID       an MQTT product of the core
  --count N          devices (default 1); nodeIds are <prefix>1 … <prefix>N, registered when missing
  --rate R           reports per second of each device (default 1; 0.1 = one every 10 s; 0 = connect only)
  --dialect D        iotda ($oc/devices/{id}/sys/properties/report, default) or legacy (/huawei/v1/devices/{id}/data/json)
  --prefix P         nodeId prefix (default sim-)
  --duration S       stop after S seconds (default: run until Ctrl+C)
  --core URL         the core's API (or env IOTWB_CORE_URL), e.g. http://127.0.0.1:41234
  --token T          its API token (or env IOTWB_TOKEN)
  --mqtt HOST:PORT   the core's MQTT port (default: the --core host and the core's mqtt port)
  --gateway          each device is a gateway (IoTDA): it adds its sub-devices itself, reports them ONLINE and
                     reports for all of them in batch reports at --rate, and answers their commands
  --sub-product ID   the sub-devices' product (with --gateway)
  --sub-devices N    sub-devices per gateway (default 10); their nodeIds are <gateway nodeId>-sub-1 … -N
  --fw-version V     the firmware version IoTDA devices report to $ota version_query (default V1.0.0)
  --sw-version V     the software version they report (default SW1.0.0)`;

class CliProblem extends Error {}

function numberOption(raw: unknown, name: string, fallback: number, check: (n: number) => boolean): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (typeof raw !== 'string' || raw.trim() === '' || !Number.isFinite(n) || !check(n))
    throw new CliProblem(`--${name} is not valid: "${typeof raw === 'string' ? raw : typeof raw}"`);
  return n;
}

/** Calls the core's workbench API with its token; a refusal becomes a CliProblem with the core's message. */
function coreApi(coreUrl: string, token: string) {
  return async (
    route: RouteContract,
    request: { params?: Record<string, string>; query?: string; body?: unknown } = {},
  ) => {
    const url = `${coreUrl}${fillPath(route.path, request.params)}${request.query ? `?${request.query}` : ''}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method: route.method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(request.body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
      });
    } catch (error) {
      throw new CliProblem(
        `cannot reach the core at ${coreUrl}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    return response;
  };
}

async function failure(response: Response, what: string): Promise<CliProblem> {
  const body = (await response.json().catch(() => ({}))) as { code?: string; message?: string };
  if (response.status === 401) return new CliProblem(`${what}: the core refused the token (check --token)`);
  return new CliProblem(`${what}: ${response.status} ${body.code ?? ''} ${body.message ?? ''}`.trim());
}

async function simulateMqtt(
  values: Record<string, string | boolean | string[] | undefined>,
  io: CliIo,
): Promise<number> {
  for (const lwm2mOnly of ['hex', 'first-node-id', 'lifetime', 'coap'])
    if (values[lwm2mOnly] !== undefined) throw new CliProblem(`--${lwm2mOnly} applies to --protocol lwm2m only`);
  const productId = values.product;
  if (typeof productId !== 'string' || productId === '') throw new CliProblem('--product ID is required');
  const coreUrl = ((values.core as string | undefined) ?? process.env.IOTWB_CORE_URL ?? '').replace(/\/+$/, '');
  const token = (values.token as string | undefined) ?? process.env.IOTWB_TOKEN ?? '';
  if (!coreUrl || !token)
    throw new CliProblem('give the running core with --core URL --token T (iotwb serve --json prints both)');
  const count = numberOption(values.count, 'count', 1, (n) => Number.isInteger(n) && n >= 1 && n <= 10_000);
  const rate = numberOption(values.rate, 'rate', 1, (n) => n >= 0 && n <= 100);
  const durationS = numberOption(values.duration, 'duration', 0, (n) => n >= 0);
  const dialect = (values.dialect as string | undefined) ?? 'iotda';
  if (!(simulatorDialects as readonly string[]).includes(dialect))
    throw new CliProblem(`--dialect must be ${simulatorDialects.join(' or ')}, got "${dialect}"`);
  const prefix = (values.prefix as string | undefined) ?? 'sim-';
  const gateway = values.gateway === true;
  if (!gateway && (values['sub-product'] !== undefined || values['sub-devices'] !== undefined))
    throw new CliProblem('--sub-product and --sub-devices apply to --gateway only');
  const subProductId = values['sub-product'];
  if (gateway && (typeof subProductId !== 'string' || subProductId === ''))
    throw new CliProblem('--gateway needs --sub-product ID, the product of its sub-devices');
  const subDevices = gateway
    ? numberOption(values['sub-devices'], 'sub-devices', 10, (n) => Number.isInteger(n) && n >= 1 && n <= 10_000)
    : 0;
  const faults = parseOtaFaultFlags(otaFaultFlags(values), 'mqtt', count);
  if ('error' in faults) throw new CliProblem(faults.error);
  if ((faults.groups.length > 0 || values['fw-version'] !== undefined) && (gateway || dialect !== 'iotda'))
    throw new CliProblem('--ota-fault and the versions apply to IoTDA devices that are not gateways ($ota)');
  const versions = {
    ...(typeof values['fw-version'] === 'string' ? { firmwareVersion: values['fw-version'] } : {}),
    ...(typeof values['sw-version'] === 'string' ? { softwareVersion: values['sw-version'] } : {}),
  };

  const api = coreApi(coreUrl, token);
  const productResponse = await api(apiRoutes.getProduct, { params: { id: productId } });
  if (!productResponse.ok) throw await failure(productResponse, `product ${productId}`);
  const product = productSchema.parse(await productResponse.json());

  let brokerUrl: string;
  if (typeof values.mqtt === 'string') {
    brokerUrl = `mqtt://${values.mqtt}`;
  } else {
    const infoResponse = await api(apiRoutes.info);
    if (!infoResponse.ok) throw await failure(infoResponse, 'platform info');
    const info = platformInfoSchema.parse(await infoResponse.json());
    if (info.ports.mqtt === undefined) throw new CliProblem('the core has no MQTT port open');
    brokerUrl = `mqtt://${new URL(coreUrl).hostname}:${info.ports.mqtt}`;
  }

  // Secrets of devices that exist already come from the core's CSV export, fetched once when first needed.
  let knownSecrets: Map<string, string> | undefined;
  const secretOf = async (deviceId: string) => {
    if (!knownSecrets) {
      const csv = await api(apiRoutes.exportDeviceSecrets, { query: `productId=${encodeURIComponent(productId)}` });
      if (!csv.ok) throw await failure(csv, 'exporting device secrets');
      const parsed = parseCsv(await csv.text());
      if (!parsed.ok) throw new CliProblem(`the core's device export is not CSV: ${parsed.error.message}`);
      knownSecrets = new Map(parsed.rows.slice(1).map((row) => [row[0] ?? '', row[2] ?? '']));
    }
    return knownSecrets.get(deviceId);
  };

  let subProduct: typeof product | undefined;
  if (gateway && typeof subProductId === 'string') {
    const subResponse = await api(apiRoutes.getProduct, { params: { id: subProductId } });
    if (!subResponse.ok) throw await failure(subResponse, `product ${subProductId}`);
    subProduct = productSchema.parse(await subResponse.json());
  }

  const simulations = new MqttSimulations({
    clock: systemClock,
    brokerUrl: () => brokerUrl,
    product: (id) => ({ model: id === subProductId && subProduct ? subProduct.model : product.model }),
    ensureDevice: async (pid, nodeId) => {
      const deviceId = deviceIdOf(pid, nodeId);
      const existing = await api(apiRoutes.getDevice, { params: { id: deviceId } });
      if (existing.ok) {
        const secret = await secretOf(deviceId);
        if (secret === undefined) throw new CliProblem(`no secret for ${deviceId} in the core's export`);
        return { deviceId, secret };
      }
      if (existing.status !== 404) throw await failure(existing, `device ${deviceId}`);
      const created = await api(apiRoutes.registerDevice, { body: { productId: pid, nodeId } });
      if (!created.ok) throw await failure(created, `registering ${nodeId}`);
      const registered = registeredDeviceSchema.parse(await created.json());
      return { deviceId: registered.device.deviceId, secret: registered.secret };
    },
  });

  const simulation = await simulations.start({
    productId,
    count,
    rate,
    dialect: dialect as SimulatorDialect,
    nodeIdPrefix: prefix,
    otaFaults: faults.groups,
    ...versions,
    ...(gateway && typeof subProductId === 'string' ? { subDevices, subDeviceProductId: subProductId } : {}),
  });
  io.out(
    `simulate: ${count} ${dialect} MQTT device(s) of ${product.model.deviceType} ${product.model.model} on ${brokerUrl}, ` +
      `${rate} report(s)/s each${durationS > 0 ? ` for ${durationS} s` : '; Ctrl+C stops'}`,
  );
  const progress = setInterval(() => {
    const s = simulations.get(simulation.id);
    const subs = s.subDevices === undefined ? '' : `, ${s.subDevices} sub-devices added`;
    io.out(`simulate: ${s.connected}/${s.devices} connected${subs}, ${s.reportsSent} reports, ${s.errors} errors`);
  }, PROGRESS_EVERY_MS);
  await untilStopped(durationS);
  clearInterval(progress);
  const end = await simulations.stop(simulation.id);
  io.out(
    `simulate: stopped after ${end.reportsSent} reports, ${end.commandsAnswered} commands answered, ${end.errors} errors` +
      (end.lastError ? ` (last: ${end.lastError})` : ''),
  );
  return 0;
}

export const simulateCommand: CliCommand = {
  summary: 'Run virtual MQTT or LwM2M devices of a product against a running core',
  usage: `${mqttUsage}\n\n${simulateLwm2mUsage}\n\nBoth protocols:\n${otaFaultUsage}`,
  options: {
    ...simulateLwm2mOptions,
    dialect: { type: 'string' },
    prefix: { type: 'string' },
    mqtt: { type: 'string' },
    gateway: { type: 'boolean' },
    'sub-product': { type: 'string' },
    'sub-devices': { type: 'string' },
    'fw-version': { type: 'string' },
    'sw-version': { type: 'string' },
  },
  async run({ values }, io) {
    const protocol = (values.protocol as string | undefined) ?? 'mqtt';
    try {
      if (protocol === 'lwm2m') {
        for (const mqttOnly of [
          'dialect',
          'prefix',
          'mqtt',
          'gateway',
          'sub-product',
          'sub-devices',
          'fw-version',
          'sw-version',
        ])
          if (values[mqttOnly] !== undefined) throw new CliProblem(`--${mqttOnly} applies to --protocol mqtt only`);
        return await simulateLwm2m(values, io);
      }
      if (protocol !== 'mqtt') throw new CliProblem(`--protocol must be mqtt or lwm2m, got "${protocol}"`);
      return await simulateMqtt(values, io);
    } catch (error) {
      if (error instanceof CliProblem) {
        io.err(`iotwb simulate: ${error.message}`);
        return 2;
      }
      if (error instanceof SimulationError) {
        io.err(`iotwb simulate: ${error.message}`);
        return 1;
      }
      throw error;
    }
  },
};
