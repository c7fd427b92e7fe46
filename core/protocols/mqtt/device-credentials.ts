// MQTT device login (legacy §2.1 and IoTDA §3.1 share it): clientId `{id}_{authType}_{signType}_{YYYYMMDDHH}`,
// password = lower-case hex HMAC-SHA256 with key = timestamp, message = secret.
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface ParsedClientId {
  /** deviceId (authType 0) or nodeId (authType 2). */
  id: string;
  authType: 0 | 2;
  signType: 0 | 1;
  timestamp: string;
}

export type ClientIdParse = { ok: true; value: ParsedClientId } | { ok: false; reason: string };

/** The id may itself hold `_` (deviceId = productId_nodeId), so the fixed parts are taken from the right. */
export function parseClientId(clientId: string): ClientIdParse {
  const parts = clientId.split('_');
  if (parts.length < 4) return { ok: false, reason: 'clientId is not {id}_{authType}_{signType}_{YYYYMMDDHH}' };
  const timestamp = parts.at(-1) ?? '';
  const signType = parts.at(-2);
  const authType = parts.at(-3);
  const id = parts.slice(0, -3).join('_');
  if (!/^\d{10}$/.test(timestamp)) return { ok: false, reason: 'the clientId timestamp is not YYYYMMDDHH' };
  if (signType !== '0' && signType !== '1') return { ok: false, reason: 'signType must be 0 or 1' };
  if (authType === '1')
    return { ok: false, reason: 'authType 1 clientIds are {productId}_{nodeId}_1_{signType}_{YYYYMMDDHH}' };
  if (authType !== '0' && authType !== '2') return { ok: false, reason: 'authType must be 0 (deviceId) or 2 (nodeId)' };
  if (id === '') return { ok: false, reason: 'the clientId has no device id' };
  return { ok: true, value: { id, authType: authType === '0' ? 0 : 2, signType: signType === '0' ? 0 : 1, timestamp } };
}

export function mqttPassword(secret: string, timestamp: string): string {
  return createHmac('sha256', timestamp).update(secret).digest('hex');
}

export function timestampOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 13).replace(/[-T]/g, '');
}

/** signType 1: the timestamp must be this hour or an adjacent one (clock skew of devices is common). */
export function timestampFresh(timestamp: string, nowMs: number): boolean {
  const y = Number(timestamp.slice(0, 4));
  const mo = Number(timestamp.slice(4, 6));
  const d = Number(timestamp.slice(6, 8));
  const h = Number(timestamp.slice(8, 10));
  const ms = Date.UTC(y, mo - 1, d, h);
  if (!Number.isFinite(ms) || mo < 1 || mo > 12 || h > 23) return false;
  return Math.abs(ms - (nowMs - (nowMs % 3600_000))) <= 3600_000;
}

export function passwordMatches(password: Buffer | undefined, secret: string, timestamp: string): boolean {
  if (!password) return false;
  const expected = Buffer.from(mqttPassword(secret, timestamp), 'utf8');
  const given = Buffer.from(password.toString('utf8').toLowerCase(), 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
