// Device login on CONNECT (§2.1, §3.1): back-off per source address, authType 1 (dynamic-secret.ts), then the
// deviceId (authType 0) or nodeId (authType 2) login checked against the registry; a good login opens a session.
import type { Aedes } from 'aedes';
import { parseClientId, passwordMatches, timestampFresh } from '../../protocols/mqtt/device-credentials.js';
import type { MqttAccessContext } from './access-context.js';
import type { DynamicSecretLogins } from './dynamic-secret.js';
import { LoginBackoff } from './login-backoff.js';

/** CONNACK return code 5, "not authorized". */
class AuthRefused extends Error {
  readonly returnCode = 5;
}

export function installLogin(aedes: Aedes, ctx: MqttAccessContext, dynamic: DynamicSecretLogins): void {
  const { deps, sessions, clock } = ctx;
  const backoff = new LoginBackoff(() => clock.now());

  aedes.authenticate = (client, username, password, done) => {
    const conn = sessions.connectionOf(client.conn);
    const peer = conn?.peer ?? '?';
    const source = conn?.peerAddress ?? peer;
    const clientId = client.id ?? '';
    const user = username ?? '';
    const fail = (kind: 'auth' | 'backoff', reason: string, deviceId?: string) => {
      ctx.refuse({ kind, peer, clientId, username: user, reason, ...(deviceId ? { deviceId } : {}) });
      if (kind === 'auth') backoff.failed(source);
      done(new AuthRefused(reason), null);
    };
    const wait = backoff.blockedFor(source);
    if (wait > 0)
      return fail('backoff', `too many failed logins from this address; retry in ${Math.ceil(wait / 1000)} s`);

    const dynamicLogin = dynamic.login(client, user, password, peer);
    if (dynamicLogin && !dynamicLogin.ok) return fail('auth', dynamicLogin.reason, dynamicLogin.deviceId);
    if (dynamicLogin?.ok) {
      if (!conn) return fail('auth', 'connection is not tracked');
      backoff.succeeded(conn.peerAddress);
      sessions.bindConnection(conn.connectionId, dynamicLogin.deviceId);
      return done(null, true);
    }

    const parsed = parseClientId(clientId);
    if (!parsed.ok) return fail('auth', parsed.reason);
    const { id, authType, signType, timestamp } = parsed.value;
    const registry = deps.devices();
    let device = authType === 0 ? registry.get(id) : undefined;
    if (authType === 2) {
      const found = registry.findByNodeId(id);
      if (found.length > 1) return fail('auth', `nodeId ${id} is registered for several products; log in by deviceId`);
      device = found[0];
    }
    if (!device) return fail('auth', `no device is registered as ${id}`);
    if (user !== id && user !== device.deviceId)
      return fail('auth', `username ${user} does not match the clientId's id ${id}`, device.deviceId);
    if (signType === 1 && !timestampFresh(timestamp, clock.now()))
      return fail('auth', `timestamp ${timestamp} is not within an hour of the platform clock`, device.deviceId);
    const secret = registry.secret(device.deviceId);
    if (secret === undefined || !passwordMatches(password, secret, timestamp))
      return fail('auth', 'wrong password', device.deviceId);
    if (!conn) return fail('auth', 'connection is not tracked');
    backoff.succeeded(conn.peerAddress);
    const model = deps.productModel(device.productId);
    sessions.loggedIn(client, {
      deviceId: device.deviceId,
      productId: device.productId,
      model,
      scope: {
        ids: authType === 2 ? [device.deviceId, id] : [device.deviceId],
        customTopics: model?.customTopics ?? [],
      },
      dialect: 'iotda',
      conn,
      ready: false,
    });
    done(null, true);
  };
}
