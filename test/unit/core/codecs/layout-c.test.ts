// The C generated from a layout, compiled with gcc: it packs byte-identical frames to our encoder and unpacks
// our frames to the same values (a small harness per layout, driven through stdin/stdout).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { CodecLayout, LayoutField, LayoutMessage } from '../../../../core/contract/codecs.js';
import { cFileBase, parseLayoutSource } from '../../../../core/codecs/codec-service.js';
import { generateLayoutC } from '../../../../core/codecs/layout-c-generator.js';
import { encodeLayoutRaw, type RawValues } from '../../../../core/codecs/layout-codec.js';
import { readCodecSample, defaultCodecSamplesDir } from '../../../../core/codecs/codec-samples.js';
import { allTypesLayout, rawValuesArbitrary } from './layout-arbitraries.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const intTypes = new Set(['uint8', 'uint16', 'uint32', 'int8', 'int16', 'int32']);

/** main(): `pack <message> <values…>` prints the frame in hex; `unpack <hex>` prints `<message> <values…>`. */
function harness(layout: CodecLayout, base: string): string {
  const read = (f: LayoutField): string[] => {
    if (intTypes.has(f.type))
      return [`{ long long v; if (scanf("%lld", &v) != 1) return 2;\n        m.${f.name} = v; }`];
    if (f.type === 'float32' || f.type === 'float64')
      return [`{ double v; if (scanf("%lf", &v) != 1) return 2;\n        m.${f.name} = v; }`];
    if (f.type === 'bits')
      return (f.bits ?? []).map(
        (b) => `{ long long v; if (scanf("%lld", &v) != 1) return 2;\n        m.${b.name} = v; }`,
      );
    if (f.type === 'bcd') return [`if (scanf("%s", tok) != 1) return 2;\n        strcpy(m.${f.name}, tok + 2);`];
    if (f.type === 'string')
      return [
        `if (scanf("%s", tok) != 1) return 2;\n        { size_t n = unhex(tok + 2, (uint8_t *)m.${f.name}); m.${f.name}[n] = 0; }`,
      ];
    if (f.lengthPrefix)
      return [`if (scanf("%s", tok) != 1) return 2;\n        m.${f.name}_len = (uint16_t)unhex(tok + 2, m.${f.name});`];
    return [`if (scanf("%s", tok) != 1) return 2;\n        unhex(tok + 2, m.${f.name});`];
  };
  const print = (f: LayoutField): string[] => {
    if (intTypes.has(f.type)) return [`printf(" %lld", (long long)m.${f.name});`];
    if (f.type === 'float32') return [`printf(" %.9g", (double)m.${f.name});`];
    if (f.type === 'float64') return [`printf(" %.17g", m.${f.name});`];
    if (f.type === 'bits') return (f.bits ?? []).map((b) => `printf(" %lld", (long long)m.${b.name});`);
    if (f.type === 'bcd') return [`printf(" d:%s", m.${f.name});`];
    if (f.type === 'string') return [`printf(" h:"); puthex((const uint8_t *)m.${f.name}, strlen(m.${f.name}));`];
    if (f.lengthPrefix) return [`printf(" h:"); puthex(m.${f.name}, m.${f.name}_len);`];
    return [`printf(" h:"); puthex(m.${f.name}, ${f.length});`];
  };
  const t = (m: LayoutMessage) => `${base}_${m.name}_t`;
  return `#include <stdio.h>
#include <string.h>
#include "${base}.h"
static char tok[20000];
static uint8_t buf[10000];
static size_t unhex(const char *s, uint8_t *out) { size_t n = 0; unsigned v; while (s[2 * n] && sscanf(s + 2 * n, "%2x", &v) == 1) { out[n] = (uint8_t)v; n++; } return n; }
static void puthex(const uint8_t *p, size_t n) { size_t i; for (i = 0; i < n; i++) printf("%02X", p[i]); }
int main(void) {
  char cmd[16], name[64];
  while (scanf("%15s", cmd) == 1) {
    if (strcmp(cmd, "pack") == 0) {
      if (scanf("%63s", name) != 1) return 2;
${layout.messages
  .map(
    (m) => `      if (strcmp(name, "${m.name}") == 0) { ${t(m)} m; int n; memset(&m, 0, sizeof m);
        ${m.fields.flatMap(read).join('\n        ')}
        n = ${base}_${m.name}_pack(&m, buf, sizeof buf);
        if (n < 0) printf("ERR\\n"); else { puthex(buf, (size_t)n); printf("\\n"); } }`,
  )
  .join('\n')}
    } else {
      size_t len; int id;
      if (scanf("%s", tok) != 1) return 2;
      len = unhex(tok + 2, buf);
      id = ${base}_message_id(buf, len);
${layout.messages
  .map(
    (
      m,
    ) => `      if (id == ${m.id}) { ${t(m)} m; if (${base}_${m.name}_unpack(buf, len, &m) != 0) { printf("ERR\\n"); continue; }
        printf("${m.name}"); ${m.fields.flatMap(print).join(' ')} printf("\\n"); continue; }`,
  )
  .join('\n')}
      printf("ERR\\n");
    }
  }
  return 0;
}
`;
}

function compile(layout: CodecLayout, base: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'iotwb-c-'));
  dirs.push(dir);
  const c = generateLayoutC(layout, base);
  writeFileSync(join(dir, `${base}.h`), c.header);
  writeFileSync(join(dir, `${base}.c`), c.source);
  writeFileSync(join(dir, 'harness.c'), harness(layout, base));
  const exe = join(dir, 'harness');
  const gcc = spawnSync(
    'gcc',
    [
      '-std=c99',
      '-Wall',
      '-Wextra',
      '-Werror',
      '-pedantic',
      '-O1',
      '-o',
      exe,
      join(dir, `${base}.c`),
      join(dir, 'harness.c'),
    ],
    { encoding: 'utf8' },
  );
  expect(gcc.stderr).toBe('');
  expect(gcc.status).toBe(0);
  return exe;
}

function run(exe: string, lines: string[]): string[] {
  const out = spawnSync(exe, [], { input: lines.join('\n') + '\n', encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  expect(out.status).toBe(0);
  return out.stdout.trimEnd().split('\n');
}

function tokens(message: LayoutMessage, values: RawValues): string {
  const token = (f: LayoutField): string[] => {
    if (f.type === 'bits') return (f.bits ?? []).map((b) => String(values[b.name]));
    const v = values[f.name]!;
    if (f.type === 'bcd') return [`d:${v}`];
    if (f.type === 'string') return [`h:${Buffer.from(String(v), 'utf8').toString('hex')}`];
    if (f.type === 'bytes') return [`h:${v}`];
    return [Object.is(v, -0) ? '-0' : String(v)];
  };
  return message.fields.flatMap(token).join(' ');
}

function parsed(message: LayoutMessage, line: string): RawValues {
  const parts = line.split(' ');
  expect(parts.shift()).toBe(message.name);
  const values: RawValues = {};
  for (const f of message.fields) {
    if (f.type === 'bits') {
      for (const b of f.bits ?? []) values[b.name] = Number(parts.shift());
      continue;
    }
    const t = parts.shift()!;
    if (f.type === 'bcd') values[f.name] = t.slice(2);
    else if (f.type === 'string') values[f.name] = Buffer.from(t.slice(2), 'hex').toString('utf8');
    else if (f.type === 'bytes') values[f.name] = t.slice(2);
    // %.9g identifies a float exactly once rounded back to single precision.
    else values[f.name] = f.type === 'float32' ? Math.fround(Number(t)) : Number(t);
  }
  return values;
}

function checkAgainstC(layout: CodecLayout, base: string, runs: number): void {
  const exe = compile(layout, base);
  for (const message of layout.messages) {
    const cases = fc.sample(rawValuesArbitrary(message), { numRuns: runs, seed: 42 });
    const ours = cases.map((values) => {
      const r = encodeLayoutRaw(layout, message, values);
      if (!r.ok) throw new Error(r.error.message);
      return Buffer.from(r.value).toString('hex').toUpperCase();
    });
    const packed = run(
      exe,
      cases.map((v) => `pack ${message.name} ${tokens(message, v)}`),
    );
    expect(packed).toEqual(ours);
    const unpacked = run(
      exe,
      ours.map((hex) => `unpack h:${hex}`),
    );
    const back = unpacked.map((line) => parsed(message, line));
    back.forEach((v, i) => expect(v, `${message.name} #${i}: ${unpacked[i]}`).toEqual(cases[i]));
  }
}

describe('generated C', () => {
  it('packs and unpacks like the platform, big-endian with a uint8 message id', () => {
    checkAgainstC(allTypesLayout('big', 'uint8'), 'all_types', 150);
  });

  it('packs and unpacks like the platform, little-endian with a uint16 message id', () => {
    checkAgainstC(allTypesLayout('little', 'uint16'), 'all_types_le', 150);
  });

  it('refuses truncated and unknown frames in C as the platform does', () => {
    const layout = allTypesLayout('big', 'uint8');
    const exe = compile(layout, 'garbage');
    expect(run(exe, ['unpack h:05000701', 'unpack h:0500070109FF', 'unpack h:09', 'unpack h:'])).toEqual([
      'ERR',
      'ERR',
      'ERR',
      'ERR',
    ]);
  });

  it('compiles the water meter layout with every message in the header', () => {
    const shipped = readCodecSample(defaultCodecSamplesDir(), 'water-meter', 'layout')!;
    const parsedLayout = parseLayoutSource(shipped.source);
    expect(parsedLayout.ok).toBe(true);
    if (!parsedLayout.ok) return;
    const base = cFileBase('WaterMeter');
    expect(base).toBe('water_meter_codec');
    checkAgainstC(parsedLayout.layout, base, 30);
    const c = generateLayoutC(parsedLayout.layout, base);
    expect(c.header).toContain(
      'int water_meter_codec_set_device_level_pack(const water_meter_codec_set_device_level_t *m, uint8_t *buf, size_t cap);',
    );
  });
});
