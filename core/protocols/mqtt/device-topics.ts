// Which topics a device may publish and subscribe (its own, and its product's custom topics), and what an uplink topic is.
import type { CustomTopic } from '../../contract/product-model.js';

export type UplinkKind =
  | { kind: 'legacyData'; format: 'json' | 'binary' }
  | { kind: 'properties' }
  | { kind: 'gatewayProperties' }
  | { kind: 'message' }
  | { kind: 'event' }
  | { kind: 'commandResponse'; requestId: string }
  | { kind: 'propertiesResponse'; operation: 'set' | 'get'; requestId: string }
  | { kind: 'shadowGet'; requestId: string }
  | { kind: 'passThrough' };

const IOTDA_UP = [
  /^sys\/properties\/report$/,
  /^sys\/messages\/up(\?encoding=gzip)?$/,
  /^sys\/gateway\/sub_devices\/properties\/report$/,
  /^sys\/properties\/(set|get)\/response\/request_id=[^/]+$/,
  /^sys\/shadow\/get\/request_id=[^/]+$/,
  /^sys\/commands\/response\/request_id=[^/]+$/,
  /^sys\/events\/up$/,
  /^sys\/sub_device_manage\/messages\/up$/,
];

/** System topics the platform sends to an IoTDA device: it is subscribed to them on connect. */
export function iotdaDownTopics(deviceId: string): string[] {
  const p = `$oc/devices/${deviceId}/sys`;
  return [
    `${p}/messages/down`,
    `${p}/commands/#`,
    `${p}/properties/set/#`,
    `${p}/properties/get/#`,
    `${p}/shadow/get/response/#`,
    `${p}/events/down`,
  ];
}

export const legacyCommandTopic = (deviceId: string, format: 'json' | 'binary' = 'json') =>
  `/huawei/v1/devices/${deviceId}/command/${format}`;

export const iotdaCommandTopic = (deviceId: string, requestId: string) =>
  `$oc/devices/${deviceId}/sys/commands/request_id=${requestId}`;

export const iotdaMessageDownTopic = (deviceId: string) => `$oc/devices/${deviceId}/sys/messages/down`;

/** A product's custom topic (`$oc/devices/{id}/user/…`): plain MQTT between the device and its subscribers. */
export const isCustomTopic = (topic: string) => /^\$oc\/devices\/[^/]+\/user\//.test(topic);

export interface DeviceTopicScope {
  /** The ids the device may use in topics: its deviceId, and its nodeId when it logged in by nodeId. */
  ids: readonly string[];
  customTopics: readonly CustomTopic[];
}

/** Classifies a publish; undefined = the device may not publish there. */
export function classifyPublish(topic: string, scope: DeviceTopicScope): UplinkKind | undefined {
  for (const id of scope.ids) {
    const legacy = `/huawei/v1/devices/${id}/data/`;
    if (topic === `${legacy}json`) return { kind: 'legacyData', format: 'json' };
    if (topic === `${legacy}binary`) return { kind: 'legacyData', format: 'binary' };
    const prefix = `$oc/devices/${id}/`;
    if (!topic.startsWith(prefix)) continue;
    const rest = topic.slice(prefix.length);
    if (rest === 'sys/properties/report') return { kind: 'properties' };
    if (rest === 'sys/gateway/sub_devices/properties/report') return { kind: 'gatewayProperties' };
    if (/^sys\/messages\/up(\?encoding=gzip)?$/.test(rest)) return { kind: 'message' };
    if (rest === 'sys/events/up') return { kind: 'event' };
    const response = /^sys\/commands\/response\/request_id=([^/]+)$/.exec(rest);
    if (response?.[1]) return { kind: 'commandResponse', requestId: response[1] };
    const properties = /^sys\/properties\/(set|get)\/response\/request_id=([^/]+)$/.exec(rest);
    if (properties?.[1] && properties[2])
      return {
        kind: 'propertiesResponse',
        operation: properties[1] === 'set' ? 'set' : 'get',
        requestId: properties[2],
      };
    const shadowGet = /^sys\/shadow\/get\/request_id=([^/]+)$/.exec(rest);
    if (shadowGet?.[1]) return { kind: 'shadowGet', requestId: shadowGet[1] };
    if (IOTDA_UP.some((r) => r.test(rest))) return { kind: 'passThrough' };
    if (rest.startsWith('user/')) {
      const custom = scope.customTopics.find((t) => t.suffix.replace(/^\/+/, '') === rest.slice(5));
      if (custom && custom.permission !== 'subscribe') return { kind: 'passThrough' };
    }
  }
  return undefined;
}

/** Subscribe filters a device may use: its own command/down topics (wildcards only below its own prefix). */
export function maySubscribe(filter: string, scope: DeviceTopicScope): boolean {
  for (const id of scope.ids) {
    const legacy = `/huawei/v1/devices/${id}/command/`;
    if (filter.startsWith(legacy) && /^(json|binary|\+|#)$/.test(filter.slice(legacy.length))) return true;
    const prefix = `$oc/devices/${id}/`;
    if (!filter.startsWith(prefix)) continue;
    const rest = filter.slice(prefix.length);
    // Wildcards cannot climb above a literal prefix, so any filter below the device's own sys/ stays its own.
    if (rest.startsWith('sys/')) return true;
    if (rest.startsWith('user/')) {
      const custom = scope.customTopics.find((t) => t.suffix.replace(/^\/+/, '') === rest.slice(5));
      if (custom && custom.permission !== 'publish') return true;
    }
  }
  return false;
}
