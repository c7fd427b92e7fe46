// Whether a downlink reached the device, per connection, from the packets on the wire. aedes 1.2 cannot tell:
// its 'ack' event carries the acknowledged packet only for persistent sessions (clean = false); for clean sessions,
// which every device SDK uses, the packet is undefined, and aedes picks the packet id only when it writes. So the
// tracker matches each outgoing QoS 1 PUBLISH to the waiting downlink with the same topic and bytes, keeps its
// packet id, and settles it on the device's PUBACK for that id.
import { readPuback, readPublish } from '../../protocols/mqtt/control-packets.js';

interface Waiting {
  topic: string;
  payload: Buffer;
  settle: (delivered: boolean) => void;
}

export class DeliveryTracker {
  private readonly unsent: Waiting[] = [];
  private readonly inflight = new Map<number, (delivered: boolean) => void>();
  private ended = false;

  /** Resolves true on the PUBACK of the next QoS 1 PUBLISH of `topic` with these bytes, false if the connection ends. */
  expect(topic: string, payload: Buffer): Promise<boolean> {
    if (this.ended) return Promise.resolve(false);
    return new Promise((settle) => this.unsent.push({ topic, payload, settle }));
  }

  /** Every whole packet written to the device. */
  sent(packet: Buffer): void {
    if (this.unsent.length === 0) return;
    const publish = readPublish(packet);
    if (!publish) return;
    const i = this.unsent.findIndex((w) => w.topic === publish.topic && w.payload.equals(publish.payload));
    const waiting = i < 0 ? undefined : this.unsent.splice(i, 1)[0];
    if (!waiting) return;
    // The device subscribed to this very topic with QoS 0, so aedes downgraded it: written is all there will be.
    if (publish.packetId === undefined) return waiting.settle(true);
    this.inflight.get(publish.packetId)?.(false);
    this.inflight.set(publish.packetId, waiting.settle);
  }

  /** Every whole packet the device sent. */
  received(packet: Buffer): void {
    if (this.inflight.size === 0) return;
    const id = readPuback(packet);
    const settle = id === undefined ? undefined : this.inflight.get(id);
    if (id === undefined || !settle) return;
    this.inflight.delete(id);
    settle(true);
  }

  /** The connection ended: whatever was not acknowledged was not delivered. */
  end(): void {
    this.ended = true;
    for (const w of this.unsent.splice(0)) w.settle(false);
    for (const settle of this.inflight.values()) settle(false);
    this.inflight.clear();
  }
}
