// The `iotwb` command line: serve, and the offline tools later capabilities add to `commands`.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { pcpCommand } from './ota/pcp-cli.js';
import { runServe, serveOptions } from './serve.js';
import { createKeygenCommand, createSignCommand, createVerifyCommand } from './signing/cli.js';
import { packageCommand } from './ota/packages/cli.js';
import { moduleSimCommand } from './serial/module-sim/cli.js';
import { flashCommand, flashSimCommand } from './flashing/cli.js';
import { simulateCommand } from './simulator/simulate-cli.js';
import { workbenchVersion } from './version.js';

export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

export interface CliCommand {
  summary: string;
  usage: string;
  options: NonNullable<ParseArgsConfig['options']>;
  run(
    args: { values: Record<string, string | boolean | undefined>; positionals: string[] },
    io: CliIo,
  ): Promise<number>;
}

export const commands: Record<string, CliCommand> = {
  serve: {
    summary: 'Run the workbench core headless and serve the UI to a browser',
    usage: `iotwb serve [--data-dir D] [--api-port N] [--mqtt-port N] [--coap-port N] [--bind ADDR] [--bind-port N]
            [--mqtts-port N [--mqtts-cert FILE --mqtts-key FILE]]
            [--northbound-port N] [--app-id ID] [--app-secret S]
            [--northbound-tls [--northbound-cert FILE --northbound-key FILE] [--northbound-client-ca FILE]]
            [--token T] [--json] [--log-level L] [--verbose]
  --data-dir D     data folder (default: the OS per-user app-data folder "IoT Workbench")
  --api-port N     API and UI port on 127.0.0.1 (default 0 = a free port)
  --mqtt-port N    MQTT device port (default: saved setting, else 1883; 0 = a free port)
  --coap-port N    CoAP device port (default: saved setting, else 5683; 0 = a free port)
  --bind ADDR      address the device ports bind to (default: saved setting, else 0.0.0.0)
  --bind-port N    Agent-Lite-style bind (HTTP, beside MQTT; default 8943, a free port if taken; 0 = a free port)
  --mqtts-port N   MQTT over TLS on this port too (off unless given; 0 = a free port)
  --mqtts-cert FILE, --mqtts-key FILE
                   its certificate and key (PEM); default: a self-signed pair made in the data folder
  --northbound-port N  northbound compatibility API for application servers, on 127.0.0.1
                   (default 8743; 0 = a free port)
  --northbound-tls serve the northbound API over HTTPS, as the platform does
  --northbound-cert FILE, --northbound-key FILE
                   its certificate and key (PEM); default: a self-signed pair made in the data folder
  --northbound-client-ca FILE
                   require a client certificate signed by this CA (PEM): mutual TLS
  --app-id ID      appId of the default application (or env IOTWB_APP_ID)
  --app-secret S   its secret (or env IOTWB_APP_SECRET); applications log in with these
  --token T        API token (default: random for this run)
  --json           print exactly one JSON line on stdout when ready
  --log-level L    fatal|error|warn|info|debug|trace (default info)
  --verbose        also write logs to stderr`,
    options: serveOptions,
    run: runServe,
  },
  keygen: createKeygenCommand(),
  sign: createSignCommand(),
  verify: createVerifyCommand(),
  package: packageCommand,
  pcp: pcpCommand,
  'module-sim': moduleSimCommand,
  flash: flashCommand,
  'flash-sim': flashSimCommand,
  simulate: simulateCommand,
};

function usage(): string {
  const lines = [
    `IoT Workbench ${workbenchVersion()} — embedded IoT device-management platform and tools`,
    '',
    'Usage: iotwb <command> [options]',
    '',
    'Commands:',
    ...Object.entries(commands).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`),
    '',
    'Options:',
    '  --help, -h      show help (iotwb <command> --help for a command)',
    '  --version, -v   print the version',
  ];
  return lines.join('\n');
}

export async function runCli(argv: string[], io: CliIo = defaultIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(usage());
    return name === undefined ? 1 : 0;
  }
  if (name === '--version' || name === '-v') {
    io.out(workbenchVersion());
    return 0;
  }
  const command = commands[name];
  if (!command) {
    io.err(`iotwb: unknown command "${name}". Run iotwb --help for the list.`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(`${command.summary}\n\nUsage: ${command.usage}`);
    return 0;
  }
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options: command.options, allowPositionals: true, strict: true });
  } catch (error) {
    io.err(`iotwb ${name}: ${error instanceof Error ? error.message : String(error)}\nUsage: ${command.usage}`);
    return 2;
  }
  return command.run(parsed as { values: Record<string, string | boolean | undefined>; positionals: string[] }, io);
}

const defaultIo: CliIo = {
  out: (line) => process.stdout.write(line + '\n'),
  err: (line) => process.stderr.write(line + '\n'),
};
