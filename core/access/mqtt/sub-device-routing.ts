// Which sub-device a gateway's answer belongs to: a downlink routed through a gateway leaves its request id here,
// and the answer on the gateway's own response topic takes it back. Bounded, oldest forgotten first.
const MAX_OPEN = 20_000;

export class SubDeviceRouting {
  private readonly open = new Map<string, string>();

  remember(gatewayId: string, requestId: string, subDeviceId: string): void {
    const key = `${gatewayId} ${requestId}`;
    this.open.delete(key);
    this.open.set(key, subDeviceId);
    if (this.open.size > MAX_OPEN) {
      const oldest = this.open.keys().next().value;
      if (oldest !== undefined) this.open.delete(oldest);
    }
  }

  /** The sub-device the request went to, once; undefined when it was the gateway's own. */
  take(gatewayId: string, requestId: string): string | undefined {
    const key = `${gatewayId} ${requestId}`;
    const sub = this.open.get(key);
    if (sub !== undefined) this.open.delete(key);
    return sub;
  }
}
