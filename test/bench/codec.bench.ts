// Water-meter script codec: decode throughput in the QuickJS sandbox (fresh context per frame) against the same
// decode function run as plain JavaScript in this process.
import { defaultCodecSamplesDir, readCodecSample } from '../../core/codecs/codec-samples.js';
import { hexToBytes } from '../../core/codecs/hex.js';
import { defaultSandboxLimits, ScriptCodec } from '../../core/codecs/script-sandbox.js';
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
    const sandbox = async (isolation: 'fresh' | 'reuse') => {
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
    const sandboxed = await sandbox('fresh');
    const reused = await sandbox('reuse');
    if (failures > 0) throw new Error(`${failures} sandboxed decodes failed`);
    void sink;
    return {
      rows: [
        { label: 'plain JavaScript decode in process (baseline)', value: plain, unit: 'frames/s' },
        { label: 'QuickJS sandbox decode, fresh context per frame', value: sandboxed, unit: 'frames/s' },
        { label: 'sandbox time per frame', value: 1e6 / sandboxed, unit: 'µs' },
        { label: 'QuickJS sandbox, loaded context reused (option)', value: reused, unit: 'frames/s' },
      ],
      ratio: { label: 'sandbox (fresh context) / plain', value: sandboxed / plain },
    };
  },
};
