// The application server of push.bench.ts, in its own process: counts pushes and records when each
// deviceDataChanged arrived. Prints `{"port":N}` once listening; reads commands on stdin, one per line:
// `answer 200|503` sets its answer, `report` prints `{"received":N,"arrivals":[[deviceId,brightness,epochMs],…]}`
// and forgets the arrivals.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';

let answer = 200;
let received = 0;
let arrivals: [string, number, number][] = [];
const server = http.createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (c: Buffer) => chunks.push(c));
  request.on('end', () => {
    if (answer === 200) {
      received++;
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        notifyType?: string;
        deviceId?: string;
        service?: { data?: { brightness?: number } };
      };
      const brightness = body.service?.data?.brightness;
      if (body.notifyType === 'deviceDataChanged' && body.deviceId && brightness !== undefined)
        arrivals.push([body.deviceId, brightness, performance.timeOrigin + performance.now()]);
    }
    response.writeHead(answer, { 'content-type': 'application/json' });
    response.end('{}');
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: (server.address() as AddressInfo).port })));
createInterface({ input: process.stdin }).on('line', (line) => {
  const [command, value] = line.trim().split(' ');
  if (command === 'answer') answer = Number(value);
  if (command === 'report') {
    console.log(JSON.stringify({ received, arrivals }));
    arrivals = [];
  }
  if (command === 'exit') process.exit(0);
});
