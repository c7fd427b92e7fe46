// Frame ingest with the traffic capture on vs off, in the same run. A broker-like publisher takes each
// MQTT PUBLISH (made by mqtt-packet), parses it as a broker would (mqtt-packet's parser), base64-encodes it
// and publishes the `frame` event on the bus. This stands in for device handling until the broker exists:
// the real MQTT-ingest ratio needs issue 4's broker in the loop, where handling costs more per message.
import mqttPacket from 'mqtt-packet';
import { createEventBus } from '../../core/bus/event-bus.js';
import { systemClock } from '../../core/clock.js';
import { loadLwm2mDefinitions } from '../../core/traffic/lwm2m-definitions.js';
import { TrafficCapture } from '../../core/traffic/traffic-capture.js';
import { opsPerSecond, type Benchmark } from './harness.js';

const BATCH = 2000;
const yieldToTimers = () => new Promise<void>((r) => setImmediate(r));

function publisher(bus: ReturnType<typeof createEventBus>) {
  let n = 0;
  let parsed = 0;
  const broker = mqttPacket.parser({ protocolVersion: 4 });
  broker.on('packet', () => parsed++);
  return () => {
    for (let i = 0; i < BATCH; i++, n++) {
      const bytes = mqttPacket.generate({
        cmd: 'publish',
        topic: `/huawei/v1/devices/dev-${n % 100}/data/json`,
        payload: Buffer.from(`{"msgType":"deviceReq","data":[{"serviceId":"Meter","serviceData":{"reading":${n}}}]}`),
        qos: 1,
        messageId: (n % 65535) + 1,
        retain: false,
        dup: false,
      });
      broker.parse(bytes);
      bus.publish('frame', {
        at: Date.now(),
        direction: 'in',
        transport: 'tcp',
        protocol: 'mqtt',
        local: '127.0.0.1:1883',
        peer: `127.0.0.1:${40000 + (n % 100)}`,
        deviceId: `dev-${n % 100}`,
        connectionId: `c${n % 100}`,
        bytesBase64: bytes.toString('base64'),
      });
    }
    if (parsed !== n) throw new Error('the broker stand-in lost packets');
    return BATCH;
  };
}

export const benchmark: Benchmark = {
  name: 'traffic capture: frame ingest with capture on vs off',
  async run() {
    const lwm2m = loadLwm2mDefinitions();

    const offBus = createEventBus(() => {});
    const publishOff = publisher(offBus);
    const onBus = createEventBus(() => {});
    let liveSummaries = 0;
    onBus.subscribe('traffic', (e) => (liveSummaries += e.frames.length));
    const capture = new TrafficCapture({ bus: onBus, clock: systemClock, dataDir: '/nonexistent', lwm2m });
    capture.start();
    const publishOn = publisher(onBus);
    // Alternating rounds, best of each, so warm-up and machine noise do not favour one side.
    let off = 0;
    let on = 0;
    for (let round = 0; round < 3; round++) {
      off = Math.max(
        off,
        await opsPerSecond(async () => {
          const n = publishOff();
          await yieldToTimers();
          return n;
        }, 1000),
      );
      on = Math.max(
        on,
        await opsPerSecond(async () => {
          const n = publishOn();
          await yieldToTimers();
          return n;
        }, 1000),
      );
    }
    await new Promise((r) => setTimeout(r, 100));

    // First filter over a full buffer decodes every frame once (later filters reuse the decode).
    const stats = capture.stats();
    let t = performance.now();
    const filtered = capture.list({ filter: TrafficCapture.parseFilter('mqtt.topic contains "dev-7/"'), limit: 2000 });
    const firstFilterMs = performance.now() - t;
    t = performance.now();
    capture.list({ filter: TrafficCapture.parseFilter('mqtt.qos == 1 && len > 10'), limit: 2000 });
    const secondFilterMs = performance.now() - t;
    const decodable = capture.detail(stats.newestSeq!)?.layers.some((l) => l.id === 'mqtt') ?? false;
    await capture.stop();
    // The publisher's own cost of one capture: the bus call with the capture listening, nothing deferred run.
    const frame = {
      at: Date.now(),
      direction: 'in' as const,
      transport: 'tcp' as const,
      protocol: 'mqtt',
      local: '127.0.0.1:1883',
      peer: '127.0.0.1:40000',
      bytesBase64: 'MAwACHRvcGljL2FiYzEyMw==',
    };
    const spare = new TrafficCapture({
      bus: createEventBus(() => {}),
      clock: systemClock,
      dataDir: '/nonexistent',
      lwm2m,
    });
    const calls = 200_000;
    t = performance.now();
    for (let i = 0; i < calls; i++) spare.ingest(frame);
    const ingestUs = ((performance.now() - t) * 1000) / calls;
    spare.flush();
    await spare.stop();

    if (!decodable || filtered.frames.length === 0) throw new Error('captured frames did not decode');

    return {
      rows: [
        { label: 'ingest, capture off (baseline)', value: off, unit: 'frames/s' },
        { label: 'ingest, capture on (ring + live summaries)', value: on, unit: 'frames/s' },
        { label: 'publisher cost of one capture (ingest call)', value: ingestUs, unit: 'µs' },
        { label: 'live summaries decoded during the run', value: liveSummaries, unit: 'frames' },
        { label: `first filter over ${stats.stored} frames`, value: firstFilterMs, unit: 'ms' },
        { label: 'second filter (decode cached)', value: secondFilterMs, unit: 'ms' },
      ],
      ratio: { label: 'capture on / off', value: on / off },
    };
  },
};
