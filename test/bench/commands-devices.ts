// Child process of commands.bench.ts: M MQTT devices (IoTDA dialect, mqtt.js; like the IoTDA SDK they subscribe to
// nothing) and N LwM2M devices (one UDP socket each) that report at a fixed rate and answer every command: MQTT on
// sys/commands/response, LwM2M with the ACK of the /19/1/0 write and then a command response frame on /19/0/0
// carrying the command's mid (the water meter layout: 0x82, mid, errcode 0, result 0).
// Usage: run-ts.mjs commands-devices.ts <config.json>. Prints {"ready": true} once every device is connected and
// observed, then reports until stdin closes.
import { createSocket, type Socket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import coapPacket, { type ParsedPacket } from 'coap-packet';
import mqtt, { type MqttClient } from 'mqtt';

interface Config {
  mqttPort: number;
  coapPort: number;
  mqtt: { deviceId: string; clientId: string; username: string; password: string }[];
  lwm2m: string[];
  /** Reports per second of each device. */
  rate: number;
}

const config = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as Config;
const uint = (v: number) => {
  const out: number[] = [];
  for (let x = v; x > 0; x = Math.floor(x / 256)) out.unshift(x % 256);
  return Buffer.from(out);
};

const clients: MqttClient[] = [];
for (let i = 0; i < config.mqtt.length; i += 50) {
  const batch = await Promise.all(
    config.mqtt.slice(i, i + 50).map(async (d) => {
      const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${config.mqttPort}`, {
        clientId: d.clientId,
        username: d.username,
        password: d.password,
        protocolVersion: 4,
        reconnectPeriod: 0,
        keepalive: 120,
      });
      client.on('message', (topic, payload) => {
        const rid = topic.split('request_id=')[1];
        if (!rid || !topic.includes('/sys/commands/')) return;
        const request = JSON.parse(payload.toString()) as { command_name: string };
        void client.publishAsync(
          `$oc/devices/${d.deviceId}/sys/commands/response/request_id=${rid}`,
          JSON.stringify({ result_code: 0, response_name: request.command_name, paras: { result: 0 } }),
          { qos: 1 },
        );
      });
      return client;
    }),
  );
  clients.push(...batch);
}

interface Lwm2mDevice {
  socket: Socket;
  mid: number;
  token?: Buffer;
  seq: number;
}
let observed = 0;
const lwm2m: Lwm2mDevice[] = [];
const notify = (d: Lwm2mDevice, payload: Buffer) => {
  if (!d.token) return;
  d.mid = (d.mid + 1) & 0xffff;
  d.socket.send(
    coapPacket.generate({
      messageId: d.mid,
      token: d.token,
      confirmable: false,
      code: '2.05',
      options: [
        { name: 'Observe', value: uint(d.seq++) },
        { name: 'Content-Format', value: uint(42) },
      ],
      payload,
    }),
    config.coapPort,
    '127.0.0.1',
  );
};
const onCoap = (d: Lwm2mDevice, raw: Buffer) => {
  let p: ParsedPacket;
  try {
    p = coapPacket.parse(raw);
  } catch {
    return;
  }
  if (p.ack || p.reset) return;
  const ack = (code: string, options: Parameters<typeof coapPacket.generate>[0]['options'] = []) =>
    d.socket.send(
      coapPacket.generate({ messageId: p.messageId, token: p.token, ack: true, code, options }),
      config.coapPort,
      '127.0.0.1',
    );
  if (p.code === '0.01') {
    const first = d.token === undefined;
    d.token = p.token;
    ack('2.05', [
      { name: 'Observe', value: uint(1) },
      { name: 'Content-Format', value: uint(42) },
    ]);
    if (first && ++observed === lwm2m.length) ready();
    return;
  }
  if (p.code === '0.03') {
    ack('2.04');
    const mid = p.payload.readUInt16BE(1);
    notify(d, Buffer.from([0x82, mid >> 8, mid & 0xff, 0, 0]));
  }
};
for (const endpoint of config.lwm2m) {
  const socket = createSocket('udp4');
  const d: Lwm2mDevice = { socket, mid: Math.floor(Math.random() * 65536), seq: 2 };
  socket.on('message', (m) => onCoap(d, m));
  lwm2m.push(d);
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
  d.mid = (d.mid + 1) & 0xffff;
  socket.send(
    coapPacket.generate({
      messageId: d.mid,
      confirmable: true,
      token: Buffer.from([lwm2m.length & 0xff, lwm2m.length >> 8]),
      code: 'POST',
      options: [
        { name: 'Uri-Path', value: Buffer.from('rd') },
        { name: 'Content-Format', value: uint(40) },
        { name: 'Uri-Query', value: Buffer.from(`ep=${endpoint}`) },
        { name: 'Uri-Query', value: Buffer.from('lt=86400') },
        { name: 'Uri-Query', value: Buffer.from('lwm2m=1.0') },
        { name: 'Uri-Query', value: Buffer.from('b=U') },
      ],
      payload: Buffer.from('</3/0>,</19/0>,</19/1>'),
    }),
    config.coapPort,
    '127.0.0.1',
  );
}
if (lwm2m.length === 0) ready();

let started = false;
function ready(): void {
  if (started) return;
  started = true;
  process.stdout.write(JSON.stringify({ ready: true }) + '\n');
  // Each device reports every 1/rate s, spread evenly over the period.
  const period = 1000 / config.rate;
  clients.forEach((client, i) => {
    const topic = `$oc/devices/${config.mqtt[i]!.deviceId}/sys/properties/report`;
    setTimeout(
      () => {
        setInterval(() => {
          void client.publishAsync(
            topic,
            JSON.stringify({ services: [{ service_id: 'Light', properties: { brightness: i % 100 } }] }),
            { qos: 1 },
          );
        }, period);
      },
      (period * i) / clients.length,
    );
  });
  const reading = Buffer.from('0100BC614E00000E1000D7007D', 'hex');
  lwm2m.forEach((d, i) => {
    setTimeout(() => setInterval(() => notify(d, reading), period), (period * i) / lwm2m.length);
  });
}

process.stdin.on('end', () => {
  for (const c of clients) c.end(true);
  for (const d of lwm2m) d.socket.close();
  process.exit(0);
});
process.stdin.resume();
