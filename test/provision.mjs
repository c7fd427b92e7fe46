#!/usr/bin/env node
// Before the tests: makes sure the system tools the suites use are installed, and the UI is built.
// Missing tools are installed with apt-get when we can (root); otherwise we stop with the one command to run.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Each entry: a file that proves the tool is there, and the Debian package that provides it. Capabilities add theirs. */
export const systemTools = [
  { file: '/usr/bin/chromium', pkg: 'chromium', for: 'UI tests (Playwright drives Debian Chromium)' },
  {
    file: '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc',
    pkg: 'fonts-noto-cjk',
    for: 'zh-CN screenshots (without a CJK font every Chinese glyph renders as a box)',
  },
  { file: '/usr/bin/udevadm', pkg: 'udev', for: 'serial port listing' },
  {
    file: '/usr/bin/tshark',
    pkg: 'tshark',
    for: 'traffic tests read exported pcapng',
    preseed: 'wireshark-common wireshark-common/install-setuid boolean false',
  },
  { file: '/usr/bin/mosquitto_pub', pkg: 'mosquitto-clients', for: 'real MQTT client traffic' },
  { file: '/usr/sbin/mosquitto', pkg: 'mosquitto', for: 'rule forwarding tests publish to a real MQTT broker' },
  {
    file: '/usr/lib/rabbitmq/bin/rabbitmq-server',
    pkg: 'rabbitmq-server',
    for: 'rule forwarding tests publish to a real AMQP 0-9-1 broker (RabbitMQ)',
  },
  {
    file: '/usr/lib/python3/dist-packages/paho/mqtt/client.py',
    pkg: 'python3-paho-mqtt',
    for: 'MQTT device tests with Python paho (/usr/bin/python3)',
  },
  { file: '/usr/bin/coap-client-notls', pkg: 'libcoap3-bin', for: 'real CoAP client traffic' },
  { file: '/usr/bin/openssl', pkg: 'openssl', for: 'signing cross-checks (openssl signs and verifies our packages)' },
  { file: '/usr/bin/gcc', pkg: 'gcc', for: 'codec tests compile the C generated from layout codecs' },
  { file: '/usr/bin/socat', pkg: 'socat', for: 'serial tests and virtual modules use pty pairs' },
  { file: '/usr/bin/stm32flash', pkg: 'stm32flash', for: 'flash tests cross-check the STM32 bootloader emulator' },
  {
    file: '/usr/bin/curl',
    pkg: 'curl',
    for: 'northbound API tests call it as an application server would (HTTPS, mTLS)',
  },
];

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function missingTools() {
  return systemTools.filter((t) => !existsSync(t.file));
}

function run(cmd, args) {
  const r = spawnSync(cmd, args, {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  return r.status === 0;
}

const missing = missingTools();
if (missing.length) {
  const pkgs = [...new Set(missing.map((t) => t.pkg))];
  const command = `apt-get install -y ${pkgs.join(' ')}`;
  const canInstall = process.getuid?.() === 0 && existsSync('/usr/bin/apt-get');
  if (!canInstall) {
    console.error(`The tests need system packages that are missing: ${pkgs.join(', ')}.`);
    console.error(`Install them, then run the tests again:\n  sudo apt-get update && sudo ${command}`);
    process.exit(1);
  }
  console.log(`Installing system packages the tests need: ${pkgs.join(', ')} …`);
  // Answers debconf would otherwise ask for (tshark's setuid question), given before installing.
  for (const t of missing.filter((t) => t.preseed)) {
    spawnSync('debconf-set-selections', [], { input: `${t.preseed}\n`, stdio: ['pipe', 'ignore', 'inherit'] });
  }
  if (!run('apt-get', ['update', '-qq']) || !run('apt-get', ['install', '-y', '-qq', ...pkgs])) {
    console.error(`apt-get could not install ${pkgs.join(', ')}. Run: apt-get update && ${command}`);
    process.exit(1);
  }
  const still = missingTools();
  if (still.length) {
    console.error(`Still missing after install: ${still.map((t) => t.file).join(', ')}`);
    process.exit(1);
  }
}

/** Newest modification time of the files under a folder. */
function newestChange(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

// `--system-only`: CI installs the system tools before `npm ci`, when there is nothing to build with yet.
if (process.argv.includes('--system-only')) process.exit(0);

const builtUi = join(root, 'dist', 'renderer', 'index.html');
const uiSources = [join(root, 'renderer'), join(root, 'core', 'contract')];
if (!existsSync(builtUi) || Math.max(...uiSources.map(newestChange)) > statSync(builtUi).mtimeMs) {
  console.log('Building the UI for the browser tests …');
  const r = spawnSync(
    process.execPath,
    [join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'warn'],
    {
      cwd: root,
      stdio: 'inherit',
    },
  );
  if (r.status !== 0) process.exit(r.status ?? 1);
}
