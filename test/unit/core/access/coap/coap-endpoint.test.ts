// The CoAP message layer on real loopback sockets with a manual clock: retransmission, timeout, separate responses.
import { createSocket, type Socket } from 'node:dgram';
import coapPacket, { type ParsedPacket } from 'coap-packet';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createCoapEndpoint,
  CoapRequestError,
  type CoapEndpoint,
} from '../../../../../core/access/coap/coap-endpoint.js';
import { createManualClock } from '../../../../../core/clock.js';

const sockets: Socket[] = [];
let endpoint: CoapEndpoint | undefined;

async function udp(): Promise<Socket> {
  const s = createSocket('udp4');
  sockets.push(s);
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  return s;
}

const until = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(check()).toBe(true);
};

afterEach(() => {
  endpoint?.close();
  for (const s of sockets.splice(0)) s.close();
});

describe('CoAP endpoint', () => {
  it('retransmits an unacknowledged request on the clock and gives up after four retransmissions', async () => {
    const clock = createManualClock();
    const server = await udp();
    const device = await udp();
    const seen: ParsedPacket[] = [];
    device.on('message', (m) => seen.push(coapPacket.parse(m)));
    endpoint = createCoapEndpoint({ socket: server, clock, onRequest: () => {}, ackTimeoutMs: 1000 });
    const answer = endpoint.request({ address: '127.0.0.1', port: device.address().port }, { code: 'GET' }, 600_000);
    const failed = answer.catch((e: unknown) => e);
    await until(() => seen.length === 1);
    for (let i = 2; i <= 5; i++) {
      clock.advance(1000 * 2 ** (i - 1) + 1);
      await until(() => seen.length === i);
    }
    expect(new Set(seen.map((p) => p.messageId)).size).toBe(1);
    clock.advance(40_000);
    const error = await failed;
    expect(error).toBeInstanceOf(CoapRequestError);
    expect((error as CoapRequestError).code).toBe('TIMEOUT');
  });

  it('waits for a separate response after an empty ACK and acknowledges it', async () => {
    const clock = createManualClock();
    const server = await udp();
    const device = await udp();
    const acks: ParsedPacket[] = [];
    device.on('message', (m, r) => {
      const p = coapPacket.parse(m);
      if (p.ack) return acks.push(p);
      device.send(coapPacket.generate({ messageId: p.messageId, ack: true, code: '0.00' }), r.port, r.address);
      setTimeout(
        () =>
          device.send(
            coapPacket.generate({
              messageId: 7,
              token: p.token,
              confirmable: true,
              code: '2.05',
              payload: Buffer.from('late'),
            }),
            r.port,
            r.address,
          ),
        20,
      );
    });
    endpoint = createCoapEndpoint({ socket: server, clock, onRequest: () => {} });
    const r = await endpoint.request({ address: '127.0.0.1', port: device.address().port }, { code: 'GET' }, 10_000);
    expect(r.payload.toString()).toBe('late');
    await until(() => acks.length === 1);
    expect(acks[0]!.messageId).toBe(7);
  });

  it('resets a notification nobody observes any more', async () => {
    const clock = createManualClock();
    const server = await udp();
    const device = await udp();
    const replies: ParsedPacket[] = [];
    device.on('message', (m) => replies.push(coapPacket.parse(m)));
    endpoint = createCoapEndpoint({ socket: server, clock, onRequest: () => {} });
    device.send(
      coapPacket.generate({ messageId: 99, token: Buffer.from('01020304', 'hex'), confirmable: true, code: '2.05' }),
      server.address().port,
      '127.0.0.1',
    );
    await until(() => replies.length === 1);
    expect(replies[0]).toMatchObject({ reset: true, messageId: 99 });
  });
});
