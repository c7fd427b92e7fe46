// User scripts run in the QuickJS sandbox: runaway, throwing, memory-hungry and badly-returning scripts become
// per-frame errors and the next frame still decodes.
import { describe, expect, it } from 'vitest';
import { defaultSandboxLimits, ScriptCodec, type SandboxLimits } from '../../../../core/codecs/script-sandbox.js';

const good = `function decode(p, topic) { return JSON.stringify({ msgType: 'deviceReq', data: [{ serviceId: 'S', serviceData: { v: p[0], t: topic } }] }); }
function encode(json) { var c = JSON.parse(json); return [c.mid & 255, c.paras.x]; }`;

async function decodeWith(source: string, payload: number[] = [1]) {
  const codec = await ScriptCodec.load(source);
  try {
    return codec.decode(payload, 't');
  } finally {
    codec.dispose();
  }
}

describe('script sandbox', () => {
  it('decodes with the payload as a plain array and the topic', async () => {
    const codec = await ScriptCodec.load(good);
    expect(codec.decode([7, 8], '/up')).toEqual({
      ok: true,
      value: '{"msgType":"deviceReq","data":[{"serviceId":"S","serviceData":{"v":7,"t":"/up"}}]}',
    });
    expect(codec.encode('{"mid":300,"paras":{"x":9}}')).toEqual({ ok: true, value: new Uint8Array([44, 9]) });
    codec.dispose();
  });

  it('stops an infinite loop at the deadline', async () => {
    const started = Date.now();
    const result = await decodeWith('function decode() { for (;;) {} }');
    expect(result).toMatchObject({ ok: false, error: { code: 'SCRIPT_TIMEOUT' } });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('reports a memory bomb of many objects as out of memory', async () => {
    const result = await decodeWith('function decode() { var a = []; for (;;) a.push({ x: a.length }); }');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(['SCRIPT_OUT_OF_MEMORY', 'SCRIPT_TIMEOUT']).toContain(result.error.code);
  });

  it('reports a string-doubling bomb as an error', async () => {
    const result = await decodeWith('function decode() { var s = "x"; for (;;) s += s; }');
    expect(result.ok).toBe(false);
  });

  it('reports a script that throws with its message', async () => {
    const result = await decodeWith('function decode() { throw new Error("bad frame"); }');
    expect(result).toEqual({ ok: false, error: { code: 'SCRIPT_THREW', message: 'decode() threw Error: bad frame' } });
  });

  it('reports runaway recursion as an error, not a crash of the host', async () => {
    const result = await decodeWith('function decode(p) { return decode(p); }');
    expect(result).toMatchObject({ ok: false, error: { code: 'SCRIPT_THREW' } });
    expect(result.ok || result.error.message).toMatch(/stack overflow/);
  });

  it.each([
    ['a number', 'function decode() { return 5; }'],
    ['an object', 'function decode() { return { msgType: "deviceReq" }; }'],
    ['undefined', 'function decode() { }'],
  ])('refuses a decode that returns %s instead of a string', async (_what, source) => {
    expect(await decodeWith(source)).toMatchObject({ ok: false, error: { code: 'SCRIPT_BAD_RETURN' } });
  });

  it.each([
    ['a string', 'function encode() { return "AA"; }'],
    ['a value above 255', 'function encode() { return [1, 256]; }'],
    ['a fraction', 'function encode() { return [1.5]; }'],
    ['an array-like object', 'function encode() { return { length: 1, 0: 1 }; }'],
  ])('refuses an encode that returns %s', async (_what, source) => {
    const codec = await ScriptCodec.load(source);
    expect(codec.encode('{}')).toMatchObject({ ok: false, error: { code: 'SCRIPT_BAD_RETURN' } });
    codec.dispose();
  });

  it('refuses huge output', async () => {
    expect(await decodeWith('function decode() { return new Array(300001).join("x"); }')).toMatchObject({
      ok: false,
      error: { code: 'SCRIPT_OUTPUT_TOO_LARGE' },
    });
    const codec = await ScriptCodec.load(
      'function encode() { var a = []; for (var i = 0; i < 70000; i++) a.push(1); return a; }',
    );
    expect(codec.encode('{}')).toMatchObject({ ok: false, error: { code: 'SCRIPT_OUTPUT_TOO_LARGE' } });
    codec.dispose();
  });

  it('reports a syntax error and a missing entry point', async () => {
    expect(await decodeWith('function decode( {')).toMatchObject({ ok: false, error: { code: 'SCRIPT_SYNTAX' } });
    expect(await decodeWith('var nothing = 1;')).toMatchObject({ ok: false, error: { code: 'SCRIPT_MISSING_ENTRY' } });
  });

  it('gives the script no host objects', async () => {
    const probe = `function decode() { return JSON.stringify([typeof require, typeof process, typeof fetch, typeof setTimeout, typeof console]); }`;
    expect(await decodeWith(probe)).toEqual({
      ok: true,
      value: '["undefined","undefined","undefined","undefined","undefined"]',
    });
  });

  it('keeps state of one frame from reaching the next, and recovers after a failure', async () => {
    const codec = await ScriptCodec.load(
      'var seen = 0; Array.prototype.poison = 1; function decode(p) { seen++; if (p[0] === 0) for (;;) {} return String(seen); }',
    );
    expect(codec.decode([1])).toEqual({ ok: true, value: '1' });
    expect(codec.decode([1])).toEqual({ ok: true, value: '1' });
    expect(codec.decode([0])).toMatchObject({ ok: false, error: { code: 'SCRIPT_TIMEOUT' } });
    expect(codec.decode([1])).toEqual({ ok: true, value: '1' });
    codec.dispose();
  });
});

describe('script sandbox frame isolation', () => {
  const limits = (isolation: SandboxLimits['isolation']): SandboxLimits => ({ ...defaultSandboxLimits, isolation });

  it.each<SandboxLimits['isolation']>(['hardened', 'fresh'])(
    'in %s isolation, a frame cannot leave state in globals, prototypes or built-ins for the next frame',
    async (isolation) => {
      const codec = await ScriptCodec.load(
        `var seen = 0; var table = { n: 0 }; var stringify = JSON.stringify;
        function decode(p) {
          seen++; table.n++; leaked = (typeof leaked === 'number' ? leaked : 0) + 1;
          Array.prototype.poison = (Array.prototype.poison || 0) + 1;
          Object.prototype.polluted = 'yes';
          try { JSON.stringify = function () { return 'hijacked'; }; } catch (e) {}
          Math = { max: function () { return -1; } };
          globalThis.extra = p[0];
          Object.defineProperty(globalThis, 'sticky', { value: 1, configurable: true });
          return stringify([seen, table.n, leaked, [].poison, {}.polluted, Math.max(1, 2), typeof extra, typeof sticky]);
        }`,
        limits(isolation),
      );
      const first = codec.decode([1]);
      const second = codec.decode([2]);
      expect(second).toEqual(first);
      expect(first.ok && (JSON.parse(first.value) as unknown[])[0]).toBe(1);
      codec.dispose();
    },
  );

  it('keeps the hardened context between frames, and starts over after a failure', async () => {
    const codec = await ScriptCodec.load(
      'var seen = 0; function decode(p) { seen++; if (p[0] === 0) throw new Error("x"); for (i = 0; i < 2; i++) {} return String(seen + i); }',
      limits('hardened'),
    );
    expect(codec.isolation).toBe('hardened');
    expect(codec.decode([1])).toEqual({ ok: true, value: '3' });
    expect(codec.decode([1])).toEqual({ ok: true, value: '3' });
    expect(codec.decode([0]).ok).toBe(false);
    expect(codec.decode([1])).toEqual({ ok: true, value: '3' });
    codec.dispose();
  });

  it('falls back to a fresh context per frame for a script whose state cannot be frozen', async () => {
    const codec = await ScriptCodec.load(
      'var buf = new Uint8Array(4); function decode(p) { buf[0] += p[0]; return String(buf[0]); }',
      limits('hardened'),
    );
    expect(codec.decode([5])).toEqual({ ok: true, value: '5' });
    expect(codec.isolation).toBe('fresh');
    expect(codec.decode([5])).toEqual({ ok: true, value: '5' });
    codec.dispose();
  });
});

describe('script sandbox memory', () => {
  it('stops a script that piles up large strings, which QuickJS does not count against its limit', async () => {
    const started = Date.now();
    const result = await decodeWith(
      'function decode() { var a = []; for (;;) a.push("x".repeat(100000) + a.length); }',
    );
    expect(result).toMatchObject({ ok: false, error: { code: 'SCRIPT_OUT_OF_MEMORY' } });
    // Interrupts are only checked every few thousand operations, so this stops late (seconds, not the deadline).
    expect(Date.now() - started).toBeLessThan(20_000);
  }, 30_000);
});
