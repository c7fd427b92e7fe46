// Script codecs run on worker threads: a runaway or memory-hungry script never stalls the core's event loop, its
// frame gets the reason, and the next frame decodes on a fresh worker.
import { afterAll, describe, expect, it } from 'vitest';
import { unpackedFromAsar } from '../../../../core/asar-paths.js';
import { ScriptPool } from '../../../../core/codecs/script-pool.js';

const good = `function decode(p, topic) { return JSON.stringify({ v: p[0], t: topic }); }
function encode(json) { var c = JSON.parse(json); return [c.x, 255]; }`;

/** Largest gap between ticks of a 10 ms main-thread timer while `work` runs. */
async function eventLoopLag<T>(work: () => Promise<T>): Promise<{ result: T; lagMs: number }> {
  let last = performance.now();
  let lagMs = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    lagMs = Math.max(lagMs, now - last - 10);
    last = now;
  }, 10);
  try {
    const result = await work();
    return { result, lagMs };
  } finally {
    clearInterval(timer);
  }
}

const pools: ScriptPool[] = [];
afterAll(() => Promise.all(pools.map((p) => p.close())));

function newPool(size = 1): ScriptPool {
  const pool = new ScriptPool({ size, killAfterMs: 1500 });
  pools.push(pool);
  return pool;
}

describe('script pool', () => {
  it('decodes and encodes on a worker thread', async () => {
    const script = newPool().load(good);
    expect(await script.decode(new Uint8Array([7]), '/up')).toEqual({ ok: true, value: '{"v":7,"t":"/up"}' });
    expect(await script.encode('{"x":3}')).toEqual({ ok: true, value: new Uint8Array([3, 255]) });
    expect(await script.check()).toEqual({ ok: true, value: true });
  });

  it('keeps the event loop running while a script piles up large strings, kills it, then decodes the next frame', async () => {
    const pool = newPool();
    const bomb = pool.load('function decode() { var a = []; for (;;) a.push("x".repeat(100000) + a.length); }');
    const script = pool.load(good);
    await script.decode(new Uint8Array([1])); // worker started and warm
    const started = Date.now();
    const { result, lagMs } = await eventLoopLag(() => bomb.decode(new Uint8Array([1])));
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(['SCRIPT_KILLED', 'SCRIPT_OUT_OF_MEMORY']).toContain(result.error.code);
      expect(result.error.message.length).toBeGreaterThan(20);
    }
    expect(Date.now() - started).toBeLessThan(3000);
    expect(lagMs).toBeLessThan(100);
    expect(await script.decode(new Uint8Array([2]), 't')).toEqual({ ok: true, value: '{"v":2,"t":"t"}' });
  }, 20_000);

  it('answers an infinite loop with a timeout without blocking the event loop', async () => {
    const pool = newPool();
    const loop = pool.load('function decode() { for (;;) {} }');
    const script = pool.load(good);
    await script.decode(new Uint8Array([1]));
    const { result, lagMs } = await eventLoopLag(() => loop.decode(new Uint8Array([1])));
    expect(result).toMatchObject({ ok: false, error: { code: 'SCRIPT_TIMEOUT' } });
    expect(lagMs).toBeLessThan(100);
    expect(await script.decode(new Uint8Array([3]))).toMatchObject({ ok: true });
  }, 20_000);

  it('kills a worker that does not answer in time and names the reason', async () => {
    const pool = new ScriptPool({ size: 1, killAfterMs: 300 });
    pools.push(pool);
    // The sandbox's own deadline (500 ms) is later than the pool's kill time here, so the pool must step in.
    const slow = pool.load('function decode() { for (;;) {} }');
    const result = await slow.decode(new Uint8Array([1]));
    expect(result).toMatchObject({ ok: false, error: { code: 'SCRIPT_KILLED' } });
    if (!result.ok) expect(result.error.message).toMatch(/did not return within 300 ms.*stopped and replaced/);
    expect(await pool.load(good).decode(new Uint8Array([4]))).toMatchObject({ ok: true });
  }, 20_000);

  it('runs the frames posted behind a killed frame on the replacement worker', async () => {
    const pool = newPool(1);
    const bomb = pool.load('function decode() { var a = []; for (;;) a.push("x".repeat(100000) + a.length); }');
    const script = pool.load(good);
    const [bad, ...rest] = await Promise.all([
      bomb.decode(new Uint8Array([1])),
      ...[5, 6, 7].map((v) => script.decode(new Uint8Array([v]))),
    ]);
    expect(bad?.ok).toBe(false);
    expect(rest).toEqual([5, 6, 7].map((v) => ({ ok: true, value: `{"v":${v},"t":""}` })));
  }, 20_000);

  it('keeps decoding on the second worker while the first is stuck', async () => {
    const pool = newPool(2);
    await pool.whenReady();
    const script = pool.load(good);
    let stuckAnswered = false;
    const stuck = pool
      .load('function decode() { var a = []; for (;;) a.push("x".repeat(100000) + a.length); }')
      .decode(new Uint8Array([1]))
      .finally(() => (stuckAnswered = true));
    for (let i = 0; i < 5; i++) expect((await script.decode(new Uint8Array([i]))).ok).toBe(true);
    expect(stuckAnswered).toBe(false);
    expect((await stuck).ok).toBe(false);
  }, 20_000);
});

describe('worker entry in a packaged app', () => {
  it('starts the worker from the unpacked copy, not from inside the asar archive', () => {
    const packaged = new URL('file:///opt/IoT%20Workbench/resources/app.asar/dist/electron/codec-script-worker.js');
    expect(unpackedFromAsar(packaged).pathname).toBe(
      '/opt/IoT%20Workbench/resources/app.asar.unpacked/dist/electron/codec-script-worker.js',
    );
  });

  it('leaves a path outside an asar archive as it is', () => {
    const source = new URL('file:///work/app.asarx/core/bin/codec-script-worker.mjs');
    expect(unpackedFromAsar(source).href).toBe(source.href);
  });
});
