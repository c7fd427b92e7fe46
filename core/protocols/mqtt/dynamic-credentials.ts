// One-model-one-secret login (legacy §2.1/§2.2, authType 1), the pure part: the clientId
// `{productId}_{nodeId}_1_{signType}_{YYYYMMDDHH}`, the secretNotify / secretACK topics and the pushed payload.

export interface DynamicClientId {
  productId: string;
  nodeId: string;
  signType: 0 | 1;
  timestamp: string;
}

export type DynamicClientIdParse = { ok: true; value: DynamicClientId } | { ok: false; reason: string };

const SHAPE = 'an authType 1 clientId is {productId}_{nodeId}_1_{signType}_{YYYYMMDDHH}';

/**
 * Undefined when the clientId is not authType 1 (the deviceId and nodeId logins handle it). Product ids never hold
 * `_`, so the productId ends at the first one and the nodeId, which may hold `_`, runs up to the fixed parts.
 */
export function parseDynamicClientId(clientId: string): DynamicClientIdParse | undefined {
  const parts = clientId.split('_');
  if (parts.length < 4 || parts.at(-3) !== '1') return undefined;
  const timestamp = parts.at(-1) ?? '';
  const signType = parts.at(-2);
  if (!/^\d{10}$/.test(timestamp)) return { ok: false, reason: 'the clientId timestamp is not YYYYMMDDHH' };
  if (signType !== '0' && signType !== '1') return { ok: false, reason: 'signType must be 0 or 1' };
  const [productId = '', ...node] = parts.slice(0, -3);
  const nodeId = node.join('_');
  if (productId === '' || nodeId === '') return { ok: false, reason: `${SHAPE}; it has no productId or nodeId` };
  return { ok: true, value: { productId, nodeId, signType: signType === '0' ? 0 : 1, timestamp } };
}

export const secretNotifyTopic = (productId: string, nodeId: string) =>
  `/huawei/v1/products/${productId}/sn/${nodeId}/secretNotify`;
export const secretAckTopic = (productId: string, nodeId: string) =>
  `/huawei/v1/products/${productId}/sn/${nodeId}/secretACK`;

/** The payload the platform pushes on secretNotify (§2.2). */
export function secretNotifyPayload(deviceId: string, secret: string): string {
  return JSON.stringify({ msgType: 'cloudSendSecret', deviceid: deviceId, secret });
}
