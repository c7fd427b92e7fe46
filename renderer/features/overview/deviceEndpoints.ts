// Where a device should point: the URLs of this machine's device ports, per LAN address.
import type { PlatformInfo } from '../../../core/contract/index.js';

export interface DeviceEndpoint {
  interfaceName: string;
  address: string;
  family: 'IPv4' | 'IPv6';
  mqttUrl?: string;
  coapUrl?: string;
  /** Quectel/Huawei-style NB-IoT modules take an IPv4 address and port for the CDP server. */
  nbiotCommand?: string;
}

export type ReachabilityProblem = 'no-lan-address' | 'bound-to-loopback';

export interface DeviceEndpoints {
  /** Why devices on the LAN cannot reach this machine, if they cannot. */
  problem?: ReachabilityProblem;
  endpoints: DeviceEndpoint[];
  mqttPort?: number;
  coapPort?: number;
}

const LOOPBACK_V4 = '127.0.0.1';

function isLoopback(address: string): boolean {
  return address.startsWith('127.') || address === '::1' || address === 'localhost';
}

/** Link-local IPv6 needs an interface zone that devices cannot use in a URL, so it is left out. */
function isLinkLocalV6(address: string): boolean {
  return /^fe[89ab][0-9a-f]:/i.test(address);
}

function hostPart(address: string, family: 'IPv4' | 'IPv6'): string {
  return family === 'IPv6' ? `[${address}]` : address;
}

function endpointFor(
  interfaceName: string,
  address: string,
  family: 'IPv4' | 'IPv6',
  mqttPort: number | undefined,
  coapPort: number | undefined,
): DeviceEndpoint {
  const host = hostPart(address, family);
  return {
    interfaceName,
    address,
    family,
    mqttUrl: mqttPort === undefined ? undefined : `mqtt://${host}:${mqttPort}`,
    coapUrl: coapPort === undefined ? undefined : `coap://${host}:${coapPort}`,
    nbiotCommand: coapPort === undefined || family !== 'IPv4' ? undefined : `AT+NCDP=${address},${coapPort}`,
  };
}

export function deviceEndpoints(info: Pick<PlatformInfo, 'ports' | 'listeners' | 'hostAddresses'>): DeviceEndpoints {
  const mqttPort = info.ports.mqtt;
  const coapPort = info.ports.coap;
  const deviceListeners = info.listeners.filter((listener) => listener.name === 'mqtt' || listener.name === 'coap');
  const boundToLoopback =
    deviceListeners.length > 0 && deviceListeners.every((listener) => isLoopback(listener.address));

  const lanAddresses = info.hostAddresses
    .filter((host) => !host.internal && !(host.family === 'IPv6' && isLinkLocalV6(host.address)))
    .sort((a, b) => (a.family === b.family ? 0 : a.family === 'IPv4' ? -1 : 1));

  const local = endpointFor('loopback', LOOPBACK_V4, 'IPv4', mqttPort, coapPort);
  if (boundToLoopback) return { problem: 'bound-to-loopback', endpoints: [local], mqttPort, coapPort };
  if (lanAddresses.length === 0) return { problem: 'no-lan-address', endpoints: [local], mqttPort, coapPort };
  return {
    endpoints: lanAddresses.map((host) => endpointFor(host.interface, host.address, host.family, mqttPort, coapPort)),
    mqttPort,
    coapPort,
  };
}
