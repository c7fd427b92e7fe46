// Water-meter script codec: decode throughput in the QuickJS sandbox (in this thread, fresh or hardened context;
// through the worker pool the core uses) against the same decode function run as plain JavaScript in this process.
import { defaultCodecSamplesDir, readCodecSample } from '../../core/codecs/codec-samples.js';
import { hexToBytes } from '../../core/codecs/hex.js';
import { ScriptPool } from '../../core/codecs/script-pool.js';
import { defaultSandboxLimits, ScriptCodec, type SandboxLimits } from '../../core/codecs/script-sandbox.js';
import { opsPerSecond, type Benchmark } from './harness.js';

const BATCH = 200;

export const benchmark: Benchmark = {
  name: 'codec: water-meter script decode, sandbox vs plain JavaScript',
  async run() {
    const shipped = readCodecSample(defaultCodecSamplesDir(), 'water-meter', 'script');
    if (!shipped) throw new Error('the water-meter sample codec is missing');
    const frames = shipped.samples.flatMap((s) => (s.direction === 'uplink' ? [Array.from(hexToBytes(s.hex)!)] : []));

    // The project's own shipped sample script, evaluated in this process as the baseline.
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    const load = new Function(`${shipped.source}\nreturn decode;`) as () => (
      payload: number[],
      topic: string,
    ) => string;
    const plainDecode = load();
    let sink = 0;
    const plain = await opsPerSecond(() => {
      for (let i = 0; i < BATCH; i++) sink += plainDecode(frames[i % frames.length]!, '').length;
      return BATCH;
    });

    let failures = 0;
    const inThread = async (isolation: SandboxLimits['isolation']) => {
      const codec = await ScriptCodec.load(shipped.source, { ...defaultSandboxLimits, isolation });
      const rate = await opsPerSecond(() => {
        for (let i = 0; i < BATCH; i++) {
          const out = codec.decode(frames[i % frames.length]!, '');
          if (out.ok) sink += out.value.length;
          else failures++;
        }
        return BATCH;
      });
      codec.dispose();
      return rate;
    };
    const fresh = await inThread('fresh');
    const hardened = await inThread('hardened');

    // What the core actually does: frames posted to the worker pool, `inFlight` awaited at a time.
    const pool = new ScriptPool({ size: 2 });
    const script = pool.load(shipped.source);
    const bytes = frames.map((f) => Uint8Array.from(f));
    const pooled = async (inFlight: number) => {
      await script.decode(bytes[0]!, '');
      return opsPerSecond(async () => {
        for (let i = 0; i < BATCH; i += inFlight) {
          const outs = await Promise.all(
            Array.from({ length: inFlight }, (_, k) => script.decode(bytes[(i + k) % bytes.length]!, '')),
          );
          for (const out of outs)
            if (out.ok) sink += out.value.length;
            else failures++;
        }
        return BATCH;
      });
    };
    const sequential = await pooled(1);
    const concurrent = await pooled(16);
    await pool.close();
    if (failures > 0) throw new Error(`${failures} sandboxed decodes failed`);
    void sink;
    return {
      rows: [
        { label: 'plain JavaScript decode in process (baseline)', value: plain, unit: 'frames/s' },
        { label: 'QuickJS in-thread, fresh context per frame (before)', value: fresh, unit: 'frames/s' },
        { label: 'QuickJS in-thread, hardened reused context', value: hardened, unit: 'frames/s' },
        { label: 'worker pool (2), one frame at a time', value: sequential, unit: 'frames/s' },
        { label: 'worker pool (2), 16 frames in flight', value: concurrent, unit: 'frames/s' },
        { label: 'pool time per frame, one at a time', value: 1e6 / sequential, unit: 'µs' },
      ],
      ratio: { label: 'worker pool, 16 in flight / plain', value: concurrent / plain },
    };
  },
};
