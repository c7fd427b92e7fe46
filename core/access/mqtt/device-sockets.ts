// Device sockets into the broker: each plain or TLS connection is tapped (frame events, size limit, downlink
// delivery) and handed to aedes.
import { randomUUID } from 'node:crypto';
import type { Aedes } from 'aedes';
import type { Socket } from 'node:net';
import { createSecureContext, TLSSocket } from 'node:tls';
import type { CapabilityContext } from '../../capability.js';
import { loadDeviceTlsCredentials } from '../../tls/tls-certificate.js';
import type { MqttAccessContext } from './access-context.js';
import type { MqttDownlinkAdapter } from './downlink.js';
import { tapConnection } from './frame-tap.js';

const DEFAULT_MAX_PACKET = 1024 * 1024;

export function serveDeviceSockets(
  aedes: Aedes,
  ctx: MqttAccessContext,
  downlink: MqttDownlinkAdapter,
  { ports, config, dataDir }: Pick<CapabilityContext, 'ports' | 'config' | 'dataDir'>,
): void {
  const { sessions, bus, clock, log } = ctx;
  const maxPacketBytes = ctx.deps.maxPacketBytes ?? DEFAULT_MAX_PACKET;

  const serveSocket = (socket: Socket) => {
    socket.setNoDelay(true);
    const connectionId = randomUUID();
    const tapped = tapConnection(socket, {
      connectionId,
      maxPacketBytes,
      onPacket: (direction, bytes) => {
        downlink.observe(connectionId, direction, bytes);
        const deviceId = sessions.deviceOn(connectionId);
        bus.publish('frame', {
          at: clock.now(),
          direction,
          transport: 'tcp',
          protocol: 'mqtt',
          local: tapped.local,
          peer: tapped.peer,
          ...(deviceId ? { deviceId } : {}),
          connectionId,
          bytesBase64: bytes.toString('base64'),
        });
      },
      onViolation: (error) => {
        const deviceId = sessions.deviceOn(connectionId);
        ctx.refuse({
          kind: 'oversized',
          peer: tapped.peer,
          clientId: '',
          username: deviceId ?? '',
          ...(deviceId ? { deviceId } : {}),
          reason: `${error.code}: ${error.message}`,
        });
      },
    });
    sessions.connectionOpened(tapped);
    tapped.stream.once('close', () => {
      downlink.connectionClosed(connectionId);
      sessions.connectionClosed(tapped);
    });
    aedes.handle(tapped.stream);
  };

  const listener = ports.tcp('mqtt');
  if (listener) listener.serve(serveSocket);
  else log.warn('no MQTT port is bound: plain MQTT device access is off');

  const tlsListener = ports.tcp('mqtts');
  if (!tlsListener) return;
  const credentials = loadDeviceTlsCredentials(dataDir, config);
  const secureContext = createSecureContext({ cert: credentials.cert, key: credentials.key });
  log.info(
    `MQTTS on port ${tlsListener.port} with ${credentials.generated ? 'a new self-signed' : 'the'} certificate ${credentials.certFile} (SHA-256 ${credentials.fingerprint256})`,
  );
  // The tap sits above TLS: the traffic inspector sees the decrypted MQTT packets of MQTTS devices too.
  tlsListener.serve((raw) => serveSocket(new TLSSocket(raw, { isServer: true, secureContext })));
}
