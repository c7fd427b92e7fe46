// A session's life after login: ready (status online, presence online), closed (presence offline), and closed by
// the platform when its device logs in again (one session per device: the newer wins, the older is closed and
// recorded), is deleted or gets a new secret.
import type { Aedes } from 'aedes';
import type { MqttAccessContext } from './access-context.js';

/** Returns the function that stops following the registry. */
export function followSessions(aedes: Aedes, ctx: MqttAccessContext): () => void {
  const { sessions, deps } = ctx;

  aedes.on('clientReady', (client) => {
    const ready = sessions.becameReady(client);
    if (!ready) return;
    const { session, replaced } = ready;
    // Counted online before the older one goes, so the device never looks disconnected in between.
    deps.status().connected(session.deviceId);
    ctx.presence(session.deviceId, 'online');
    if (!replaced) return;
    ctx.refuse({
      kind: 'replaced',
      peer: replaced.session.conn.peer,
      clientId: replaced.client.id,
      username: session.deviceId,
      deviceId: session.deviceId,
      reason: `a newer session of ${session.deviceId} (clientId ${client.id} from ${session.conn.peer}) replaced this one; a device has one MQTT session`,
    });
    replaced.client.close();
  });

  aedes.on('clientDisconnect', (client) => {
    const closed = sessions.closed(client);
    if (!closed) return;
    deps.status().disconnected(closed.session.deviceId);
    if (closed.wasLive) ctx.presence(closed.session.deviceId, 'offline');
  });

  return deps.devices().onChange((change) => {
    if (change.kind !== 'deleted' && change.kind !== 'secretReset') return;
    sessions.liveSession(change.deviceId)?.client.close();
  });
}
