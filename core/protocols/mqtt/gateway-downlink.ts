// A downlink meant for a sub-device, carried by its gateway (§3.2): the topic names the gateway, the JSON body
// names the sub-device in `object_device_id`. Pure, so it is tested without a broker.

export interface GatewayDownlink {
  topic: string;
  payload: Buffer;
  /** The `request_id=` of the topic, if any: the gateway's answer comes back on the gateway's topic with it. */
  requestId?: string;
}

/** Undefined when the topic is not one of the sub-device's own `$oc/devices/{id}/…` topics. */
export function gatewayDownlink(
  subDeviceId: string,
  gatewayId: string,
  topic: string,
  payload: Buffer,
): GatewayDownlink | undefined {
  const own = `$oc/devices/${subDeviceId}/`;
  if (!topic.startsWith(own)) return undefined;
  const rewritten = `$oc/devices/${gatewayId}/${topic.slice(own.length)}`;
  const requestId = /\/request_id=([^/]+)$/.exec(rewritten)?.[1];
  return { topic: rewritten, payload: withObjectDeviceId(payload, subDeviceId), ...(requestId ? { requestId } : {}) };
}

/** A JSON object body gets `object_device_id`; any other body (not JSON, an array) is carried as it is. */
function withObjectDeviceId(payload: Buffer, deviceId: string): Buffer {
  let body: unknown;
  try {
    body = JSON.parse(payload.toString('utf8'));
  } catch {
    return payload;
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return payload;
  if ((body as Record<string, unknown>)['object_device_id'] === deviceId) return payload;
  return Buffer.from(JSON.stringify({ ...(body as Record<string, unknown>), object_device_id: deviceId }));
}
