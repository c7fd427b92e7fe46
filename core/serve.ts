// `iotwb serve`: the core in plain Node, serving the built UI, stopped cleanly by SIGINT/SIGTERM.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { CliIo } from './cli.js';
import { defaultDataDir, LOG_LEVELS, type LogLevel } from './config.js';
import { createPlatform } from './platform.js';
import { StartupError } from './platform-types.js';
import { findPackageRoot } from './version.js';

export const serveOptions = {
  'data-dir': { type: 'string' },
  'api-port': { type: 'string' },
  'mqtt-port': { type: 'string' },
  'coap-port': { type: 'string' },
  'northbound-port': { type: 'string' },
  'northbound-tls': { type: 'boolean' },
  'northbound-cert': { type: 'string' },
  'northbound-key': { type: 'string' },
  'northbound-client-ca': { type: 'string' },
  'mqtts-port': { type: 'string' },
  'mqtts-cert': { type: 'string' },
  'mqtts-key': { type: 'string' },
  'app-id': { type: 'string' },
  'app-secret': { type: 'string' },
  bind: { type: 'string' },
  'bind-port': { type: 'string' },
  token: { type: 'string' },
  json: { type: 'boolean' },
  'log-level': { type: 'string' },
  verbose: { type: 'boolean' },
} as const;

const STOP_DEADLINE_MS = 5000;

function portOption(values: Record<string, unknown>, name: string): number | undefined {
  const raw = values[name];
  if (typeof raw !== 'string') return undefined;
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port > 65535) throw new Error(`--${name} must be a port number 0-65535, got "${raw}"`);
  return port;
}

/** --mqtts-port turns MQTT over TLS on; --mqtts-cert/--mqtts-key (both or neither) replace the self-signed pair. */
function mqttsOptions(values: Record<string, unknown>) {
  const mqttsPort = portOption(values, 'mqtts-port');
  const cert = values['mqtts-cert'] as string | undefined;
  const key = values['mqtts-key'] as string | undefined;
  if ((cert === undefined) !== (key === undefined)) throw new Error('--mqtts-cert and --mqtts-key go together');
  if (cert !== undefined && mqttsPort === undefined) throw new Error('--mqtts-cert needs --mqtts-port');
  return {
    ...(mqttsPort === undefined ? {} : { mqttsPort }),
    ...(cert && key ? { mqttsCertFile: cert, mqttsKeyFile: key } : {}),
  };
}

/** --northbound-tls serves the northbound API over HTTPS; --northbound-cert/-key replace the self-signed pair and
 * --northbound-client-ca asks application servers for a client certificate (mutual TLS). */
function northboundTlsOptions(values: Record<string, unknown>) {
  const tls = values['northbound-tls'] === true;
  const cert = values['northbound-cert'] as string | undefined;
  const key = values['northbound-key'] as string | undefined;
  const clientCa = values['northbound-client-ca'] as string | undefined;
  if ((cert === undefined) !== (key === undefined))
    throw new Error('--northbound-cert and --northbound-key go together');
  if (!tls && cert !== undefined) throw new Error('--northbound-cert needs --northbound-tls');
  if (!tls && clientCa !== undefined) throw new Error('--northbound-client-ca needs --northbound-tls');
  return {
    ...(tls ? { northboundTls: true } : {}),
    ...(cert && key ? { northboundCertFile: cert, northboundKeyFile: key } : {}),
    ...(clientCa ? { northboundClientCaFile: clientCa } : {}),
  };
}

/** --northbound-port, and the default application's credentials from flags or IOTWB_APP_ID / IOTWB_APP_SECRET. */
function northboundOptions(values: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env) {
  const northboundPort = portOption(values, 'northbound-port');
  const appId = (values['app-id'] as string | undefined) ?? env.IOTWB_APP_ID;
  const appSecret = (values['app-secret'] as string | undefined) ?? env.IOTWB_APP_SECRET;
  return {
    ...(northboundPort === undefined ? {} : { northboundPort }),
    ...(appId ? { appId } : {}),
    ...(appSecret ? { appSecret } : {}),
  };
}

export async function runServe(
  { values }: { values: Record<string, string | boolean | undefined> },
  io: CliIo,
): Promise<number> {
  const json = values.json === true;
  const logLevel = (values['log-level'] as string | undefined) ?? 'info';
  let platform;
  try {
    if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
      throw new Error(`--log-level must be one of ${LOG_LEVELS.join(', ')}`);
    }
    const rendererDir = join(findPackageRoot(), 'dist', 'renderer');
    if (!existsSync(join(rendererDir, 'index.html'))) {
      io.err('The UI is not built yet (run `npm run build:renderer`); serving the API only.');
    }
    platform = createPlatform({
      dataDir: (values['data-dir'] as string | undefined) ?? defaultDataDir(),
      apiPort: portOption(values, 'api-port') ?? 0,
      mqttPort: portOption(values, 'mqtt-port'),
      coapPort: portOption(values, 'coap-port'),
      ...northboundOptions(values),
      ...northboundTlsOptions(values),
      ...mqttsOptions(values),
      deviceBindAddress: values.bind as string | undefined,
      bindPort: portOption(values, 'bind-port'),
      token: values.token as string | undefined,
      logLevel: logLevel as LogLevel,
      logToStdout: values.verbose === true,
      rendererDir,
    });
  } catch (error) {
    io.err(`iotwb serve: ${error instanceof Error ? error.message : String(error)}`);
    return 2;
  }

  let runtime;
  try {
    runtime = await platform.start();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (json) {
      const detail = error instanceof StartupError ? { code: error.code, file: error.file } : { code: 'START_FAILED' };
      io.out(JSON.stringify({ event: 'error', ...detail, message }));
    }
    io.err(`IoT Workbench could not start: ${message}`);
    return 1;
  }

  const ui = `${runtime.apiUrl}/#token=${runtime.token}`;
  const human = `IoT Workbench is running. Open ${ui} in a browser (MQTT port ${runtime.ports.mqtt}, CoAP port ${runtime.ports.coap}, northbound API ${values['northbound-tls'] === true ? 'https' : 'http'}://127.0.0.1:${runtime.ports.northbound}, data in ${runtime.dataDir}). Ctrl+C stops it.`;
  if (json) {
    io.err(human);
    io.out(
      JSON.stringify({
        event: 'ready',
        ui,
        api: runtime.apiUrl,
        token: runtime.token,
        dataDir: runtime.dataDir,
        ports: runtime.ports,
      }),
    );
  } else {
    io.out(human);
  }

  return new Promise<number>((resolve) => {
    const stop = (signal: string): void => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      const deadline = setTimeout(() => {
        io.err(`IoT Workbench did not stop within ${STOP_DEADLINE_MS / 1000} s after ${signal}; exiting.`);
        resolve(1);
      }, STOP_DEADLINE_MS);
      platform.stop().then(
        () => {
          clearTimeout(deadline);
          if (!json) io.out('IoT Workbench stopped.');
          resolve(0);
        },
        (error: unknown) => {
          clearTimeout(deadline);
          io.err(`stopping failed: ${error instanceof Error ? error.message : String(error)}`);
          resolve(1);
        },
      );
    };
    const onSignal = (signal: NodeJS.Signals): void => stop(signal);
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
