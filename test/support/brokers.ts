// Real message brokers for forwarding tests: Debian's mosquitto and RabbitMQ, each started on free 127.0.0.1 ports
// with its own config and data folder, stopped (with its own epmd for RabbitMQ) when the test is done.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { writeFileSync, mkdirSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, timeoutMs: number, child: ChildProcess, what: string, log: () => string) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${what} exited (${child.exitCode}): ${log()}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`${what} did not listen on ${port} within ${timeoutMs} ms: ${log()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    return;
  }
  const timer = setTimeout(() => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // gone
    }
  }, 5000);
  await exited;
  clearTimeout(timer);
}

export interface RunningBroker {
  port: number;
  url: string;
  stop(): Promise<void>;
  /** Starts it again on the same port (after stop). */
  restart(): Promise<void>;
}

export async function startMosquitto(dir: string, port?: number): Promise<RunningBroker> {
  const p = port ?? (await freePort());
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(conf, `listener ${p} 127.0.0.1\nallow_anonymous true\npersistence false\nlog_dest stderr\n`);
  let child: ChildProcess | undefined;
  const start = async () => {
    let output = '';
    const c = spawn('/usr/sbin/mosquitto', ['-c', conf], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    c.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    child = c;
    await waitForPort(p, 10_000, c, 'mosquitto', () => output);
  };
  await start();
  return {
    port: p,
    url: `mqtt://127.0.0.1:${p}`,
    stop: async () => {
      if (child) await stopProcess(child);
    },
    restart: start,
  };
}

export async function startRabbitMq(dir: string): Promise<RunningBroker> {
  const [port, distPort, epmdPort] = [await freePort(), await freePort(), await freePort()];
  for (const sub of ['mnesia', 'log', 'home']) mkdirSync(join(dir, sub), { recursive: true });
  writeFileSync(join(dir, 'rabbitmq.conf'), `listeners.tcp.default = 127.0.0.1:${port}\nloopback_users = none\n`);
  writeFileSync(join(dir, 'advanced.config'), '[].\n');
  writeFileSync(join(dir, 'enabled_plugins'), '[].\n');
  const env = {
    ...process.env,
    HOME: join(dir, 'home'),
    RABBITMQ_NODENAME: `iotwb${port}@localhost`,
    RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
    RABBITMQ_NODE_PORT: String(port),
    RABBITMQ_DIST_PORT: String(distPort),
    ERL_EPMD_PORT: String(epmdPort),
    RABBITMQ_MNESIA_BASE: join(dir, 'mnesia'),
    RABBITMQ_LOG_BASE: join(dir, 'log'),
    RABBITMQ_CONFIG_FILE: join(dir, 'rabbitmq.conf'),
    RABBITMQ_ADVANCED_CONFIG_FILE: join(dir, 'advanced.config'),
    RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, 'enabled_plugins'),
    RABBITMQ_PID_FILE: join(dir, 'rabbit.pid'),
    RABBITMQ_LOGS: '-',
  };
  let child: ChildProcess | undefined;
  const start = async () => {
    let output = '';
    const c = spawn('/usr/lib/rabbitmq/bin/rabbitmq-server', [], {
      detached: true,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (d: Buffer) => (output = (output + d.toString()).slice(-4000));
    c.stdout?.on('data', keep);
    c.stderr?.on('data', keep);
    child = c;
    await waitForPort(port, 60_000, c, 'rabbitmq-server', () => output);
  };
  const stop = async () => {
    if (child) await stopProcess(child);
    // Its own epmd (on its own port) was started as a daemon by the node: end it too.
    spawnSync('epmd', ['-kill'], { env: { ...process.env, ERL_EPMD_PORT: String(epmdPort) }, stdio: 'ignore' });
  };
  try {
    await start();
  } catch (error) {
    await stop();
    throw error;
  }
  return { port, url: `amqp://guest:guest@127.0.0.1:${port}`, stop, restart: start };
}
