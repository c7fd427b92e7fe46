// A session's life after login: ready (status online, presence online), closed (presence offline), and closed by
// the platform when its device is deleted or gets a new secret.
import type { Aedes } from 'aedes';
import type { MqttAccessContext } from './access-context.js';

/** Returns the function that stops following the registry. */
export function followSessions(aedes: Aedes, ctx: MqttAccessContext): () => void {
  const { sessions, deps } = ctx;

  aedes.on('clientReady', (client) => {
    const ready = sessions.becameReady(client);
    if (!ready) return;
    deps.status().connected(ready.session.deviceId);
    ctx.presence(ready.session.deviceId, 'online');
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
