import { describe, expect, it } from 'vitest';
import type { PlatformInfo } from '../../../core/contract/index.js';
import { deviceEndpoints } from '../../../renderer/features/overview/deviceEndpoints.js';
import { formatDuration, splitDuration } from '../../../renderer/features/overview/formatDuration.js';

type Info = Pick<PlatformInfo, 'ports' | 'listeners' | 'hostAddresses'>;

const ports = { api: 40000, mqtt: 1883, coap: 5683 };
const listeners: Info['listeners'] = [
  { name: 'mqtt', protocol: 'tcp', address: '0.0.0.0', port: 1883 },
  { name: 'coap', protocol: 'udp', address: '0.0.0.0', port: 5683 },
];
const loopback = { interface: 'lo', address: '127.0.0.1', family: 'IPv4', internal: true } as const;

describe('deviceEndpoints', () => {
  it('lists MQTT and CoAP URLs and the NB-IoT command per LAN address, IPv4 first', () => {
    const result = deviceEndpoints({
      ports,
      listeners,
      hostAddresses: [
        loopback,
        { interface: 'eth0', address: '2001:db8::5', family: 'IPv6', internal: false },
        { interface: 'eth0', address: 'fe80::1', family: 'IPv6', internal: false },
        { interface: 'eth0', address: '192.168.1.20', family: 'IPv4', internal: false },
      ],
    });
    expect(result.problem).toBeUndefined();
    expect(result.endpoints).toEqual([
      {
        interfaceName: 'eth0',
        address: '192.168.1.20',
        family: 'IPv4',
        mqttUrl: 'mqtt://192.168.1.20:1883',
        coapUrl: 'coap://192.168.1.20:5683',
        nbiotCommand: 'AT+NCDP=192.168.1.20,5683',
      },
      {
        interfaceName: 'eth0',
        address: '2001:db8::5',
        family: 'IPv6',
        mqttUrl: 'mqtt://[2001:db8::5]:1883',
        coapUrl: 'coap://[2001:db8::5]:5683',
        nbiotCommand: undefined,
      },
    ]);
  });

  it('says the LAN cannot reach this machine when only internal addresses exist, offering 127.0.0.1', () => {
    const result = deviceEndpoints({ ports, listeners, hostAddresses: [loopback] });
    expect(result.problem).toBe('no-lan-address');
    expect(result.endpoints.map((endpoint) => endpoint.mqttUrl)).toEqual(['mqtt://127.0.0.1:1883']);
  });

  it('says the LAN cannot reach the device ports when they are bound to loopback', () => {
    const result = deviceEndpoints({
      ports,
      listeners: listeners.map((listener) => ({ ...listener, address: '127.0.0.1' })),
      hostAddresses: [loopback, { interface: 'eth0', address: '10.0.0.2', family: 'IPv4', internal: false }],
    });
    expect(result.problem).toBe('bound-to-loopback');
    expect(result.endpoints.map((endpoint) => endpoint.coapUrl)).toEqual(['coap://127.0.0.1:5683']);
  });

  it('leaves out the URL of a port that is not listening', () => {
    const result = deviceEndpoints({ ports: { api: 1 }, listeners: [], hostAddresses: [loopback] });
    expect(result.endpoints[0]).toMatchObject({ mqttUrl: undefined, coapUrl: undefined, nbiotCommand: undefined });
  });
});

describe('uptime', () => {
  const t = ((key: string, values: Record<string, number>) =>
    `${key}:${JSON.stringify(values)}`) as unknown as Parameters<typeof formatDuration>[1];

  it('splits milliseconds into days, hours, minutes and seconds', () => {
    expect(splitDuration(90_061_000)).toEqual({ days: 1, hours: 1, minutes: 1, seconds: 1 });
    expect(splitDuration(-5)).toEqual({ days: 0, hours: 0, minutes: 0, seconds: 0 });
  });

  it('shows the two largest units', () => {
    expect(formatDuration(42_000, t)).toBe('duration.seconds:{"seconds":42}');
    expect(formatDuration(3_725_000, t)).toBe('duration.hoursMinutes:{"hours":1,"minutes":2}');
  });
});
