// Generates C (a header and a source) from a layout: one struct and pack/unpack functions per message,
// byte-compatible with layout-codec.ts, for device firmware.
import type { CodecLayout, CSource, LayoutField, LayoutMessage, LayoutNumberType } from '../contract/codecs.js';
import { numberSize } from './layout-codec.js';

const cType: Record<LayoutNumberType, string> = {
  uint8: 'uint8_t',
  uint16: 'uint16_t',
  uint32: 'uint32_t',
  int8: 'int8_t',
  int16: 'int16_t',
  int32: 'int32_t',
  float32: 'float',
  float64: 'double',
};

const isNumber = (t: string): t is LayoutNumberType => t in cType;
const bitType = (width: number) => (width <= 8 ? 'uint8_t' : width <= 16 ? 'uint16_t' : 'uint32_t');

/** Capacity of a variable or fixed string/bytes field, as the C buffers are sized. */
export function fieldCapacity(field: LayoutField): number {
  return field.length ?? field.maxLength ?? (field.lengthPrefix === 'uint8' ? 255 : 1024);
}

function structMembers(message: LayoutMessage): string[] {
  const lines: string[] = [];
  for (const f of message.fields) {
    if (isNumber(f.type)) lines.push(`  ${cType[f.type]} ${f.name};`);
    else if (f.type === 'bits')
      for (const b of f.bits ?? []) lines.push(`  ${bitType(b.width)} ${b.name}; /* ${b.width} bit(s) */`);
    else if (f.type === 'bcd')
      lines.push(`  char ${f.name}[${(f.length ?? 0) * 2 + 1}]; /* ${(f.length ?? 0) * 2} BCD digits */`);
    else if (f.type === 'string') lines.push(`  char ${f.name}[${fieldCapacity(f) + 1}];`);
    else {
      lines.push(`  uint8_t ${f.name}[${fieldCapacity(f)}];`);
      if (f.lengthPrefix) lines.push(`  uint16_t ${f.name}_len;`);
    }
  }
  if (lines.length === 0) lines.push('  uint8_t unused_;');
  return lines;
}

function packBody(layout: CodecLayout, message: LayoutMessage): string[] {
  const idType = layout.messageIdType;
  const out = [
    `  size_t o = 0;`,
    `  if (cap < ${numberSize[idType]}) return -1;`,
    `  put_${idType}(buf + o, ${message.id}); o += ${numberSize[idType]};`,
  ];
  for (const f of message.fields) {
    if (isNumber(f.type)) {
      out.push(
        `  if (o + ${numberSize[f.type]} > cap) return -1;`,
        `  put_${f.type}(buf + o, m->${f.name}); o += ${numberSize[f.type]};`,
      );
    } else if (f.type === 'bits') {
      const n = f.length ?? 1;
      const container = n === 1 ? 'uint8' : n === 2 ? 'uint16' : 'uint32';
      out.push(`  if (o + ${n} > cap) return -1;`, `  {`, `    uint32_t c = 0;`);
      let shift = n * 8;
      for (const b of f.bits ?? []) {
        shift -= b.width;
        const mask = b.width === 32 ? '0xFFFFFFFFu' : `0x${(2 ** b.width - 1).toString(16).toUpperCase()}u`;
        out.push(
          `    if ((uint32_t)m->${b.name} > ${mask}) return -1;`,
          `    c |= ((uint32_t)m->${b.name} & ${mask}) << ${shift};`,
        );
      }
      out.push(`    put_${container}(buf + o, (${cType[container]})c); o += ${n};`, `  }`);
    } else if (f.type === 'bcd') {
      out.push(
        `  if (o + ${f.length} > cap) return -1;`,
        `  if (pack_bcd(buf + o, ${f.length}, m->${f.name}) != 0) return -1;`,
        `  o += ${f.length};`,
      );
    } else {
      const cap = fieldCapacity(f);
      const len =
        f.type === 'string' ? `bounded_len(m->${f.name}, ${cap + 1})` : f.lengthPrefix ? `m->${f.name}_len` : `${cap}`;
      out.push(`  {`, `    size_t n = ${len};`, `    if (n > ${cap}) return -1;`);
      if (f.lengthPrefix) {
        out.push(
          `    if (o + ${numberSize[f.lengthPrefix]} + n > cap) return -1;`,
          `    put_${f.lengthPrefix}(buf + o, (${cType[f.lengthPrefix]})n); o += ${numberSize[f.lengthPrefix]};`,
        );
        out.push(`    memcpy(buf + o, m->${f.name}, n); o += n;`);
      } else {
        out.push(
          `    if (o + ${f.length} > cap) return -1;`,
          `    memset(buf + o, 0, ${f.length});`,
          `    memcpy(buf + o, m->${f.name}, n); o += ${f.length};`,
        );
      }
      out.push(`  }`);
    }
  }
  out.push('  return (int)o;');
  return out;
}

function unpackBody(layout: CodecLayout, message: LayoutMessage): string[] {
  const idType = layout.messageIdType;
  const out = [
    `  size_t o = 0;`,
    `  memset(m, 0, sizeof *m);`,
    `  if (len < ${numberSize[idType]} || get_${idType}(buf) != ${message.id}) return -1;`,
    `  o += ${numberSize[idType]};`,
  ];
  for (const f of message.fields) {
    if (isNumber(f.type)) {
      out.push(
        `  if (o + ${numberSize[f.type]} > len) return -1;`,
        `  m->${f.name} = get_${f.type}(buf + o); o += ${numberSize[f.type]};`,
      );
    } else if (f.type === 'bits') {
      const n = f.length ?? 1;
      const container = n === 1 ? 'uint8' : n === 2 ? 'uint16' : 'uint32';
      out.push(`  if (o + ${n} > len) return -1;`, `  {`, `    uint32_t c = get_${container}(buf + o); o += ${n};`);
      let shift = n * 8;
      for (const b of f.bits ?? []) {
        shift -= b.width;
        const mask = b.width === 32 ? '0xFFFFFFFFu' : `0x${(2 ** b.width - 1).toString(16).toUpperCase()}u`;
        out.push(`    m->${b.name} = (${bitType(b.width)})((c >> ${shift}) & ${mask});`);
      }
      out.push(`  }`);
    } else if (f.type === 'bcd') {
      out.push(
        `  if (o + ${f.length} > len) return -1;`,
        `  if (unpack_bcd(buf + o, ${f.length}, m->${f.name}) != 0) return -1;`,
        `  o += ${f.length};`,
      );
    } else {
      const cap = fieldCapacity(f);
      out.push(`  {`);
      if (f.lengthPrefix) {
        out.push(
          `    size_t n;`,
          `    if (o + ${numberSize[f.lengthPrefix]} > len) return -1;`,
          `    n = get_${f.lengthPrefix}(buf + o); o += ${numberSize[f.lengthPrefix]};`,
          `    if (n > ${cap} || o + n > len) return -1;`,
          `    memcpy(m->${f.name}, buf + o, n); o += n;`,
        );
        if (f.type === 'bytes') out.push(`    m->${f.name}_len = (uint16_t)n;`);
      } else {
        out.push(
          `    if (o + ${f.length} > len) return -1;`,
          `    memcpy(m->${f.name}, buf + o, ${f.length}); o += ${f.length};`,
        );
      }
      out.push(`  }`);
    }
  }
  out.push('  return o == len ? 0 : -1;');
  return out;
}

function helpers(little: boolean): string {
  const order = (n: number) => Array.from({ length: n }, (_, i) => (little ? i : n - 1 - i));
  const put = (name: string, type: string, n: number) =>
    `static inline void put_${name}(uint8_t *p, ${type} v) {\n${order(n)
      .map((shift, i) => `  p[${i}] = (uint8_t)(v >> ${shift * 8});`)
      .join('\n')}\n}`;
  const get = (name: string, type: string, n: number) =>
    `static inline ${type} get_${name}(const uint8_t *p) {\n  return (${type})(${order(n)
      .map((shift, i) => `((${type})p[${i}] << ${shift * 8})`)
      .join(' | ')});\n}`;
  return [
    put('uint8', 'uint8_t', 1),
    put('uint16', 'uint16_t', 2),
    put('uint32', 'uint32_t', 4),
    put('u64', 'uint64_t', 8),
    get('uint8', 'uint8_t', 1),
    get('uint16', 'uint16_t', 2),
    get('uint32', 'uint32_t', 4),
    get('u64', 'uint64_t', 8),
    'static inline void put_int8(uint8_t *p, int8_t v) { put_uint8(p, (uint8_t)v); }',
    'static inline void put_int16(uint8_t *p, int16_t v) { put_uint16(p, (uint16_t)v); }',
    'static inline void put_int32(uint8_t *p, int32_t v) { put_uint32(p, (uint32_t)v); }',
    'static inline int8_t get_int8(const uint8_t *p) { return (int8_t)get_uint8(p); }',
    'static inline int16_t get_int16(const uint8_t *p) { return (int16_t)get_uint16(p); }',
    'static inline int32_t get_int32(const uint8_t *p) { return (int32_t)get_uint32(p); }',
    'static inline void put_float32(uint8_t *p, float v) { uint32_t u; memcpy(&u, &v, 4); put_uint32(p, u); }',
    'static inline void put_float64(uint8_t *p, double v) { uint64_t u; memcpy(&u, &v, 8); put_u64(p, u); }',
    'static inline float get_float32(const uint8_t *p) { uint32_t u = get_uint32(p); float v; memcpy(&v, &u, 4); return v; }',
    'static inline double get_float64(const uint8_t *p) { uint64_t u = get_u64(p); double v; memcpy(&v, &u, 8); return v; }',
    `static inline size_t bounded_len(const char *s, size_t max) {
  size_t n = 0;
  while (n < max && s[n] != '\\0') n++;
  return n;
}`,
    `/* Digits are right-aligned and left-padded with zeros, two per byte, high nibble first. */
static inline int pack_bcd(uint8_t *p, size_t bytes, const char *digits) {
  size_t n = bounded_len(digits, bytes * 2 + 1), i;
  if (n > bytes * 2) return -1;
  for (i = 0; i < bytes * 2; i++) {
    size_t pad = bytes * 2 - n;
    char c = i < pad ? '0' : digits[i - pad];
    if (c < '0' || c > '9') return -1;
    if (i % 2 == 0) p[i / 2] = (uint8_t)((c - '0') << 4); else p[i / 2] |= (uint8_t)(c - '0');
  }
  return 0;
}`,
    `static inline int unpack_bcd(const uint8_t *p, size_t bytes, char *digits) {
  size_t i;
  for (i = 0; i < bytes; i++) {
    uint8_t hi = p[i] >> 4, lo = p[i] & 0x0F;
    if (hi > 9 || lo > 9) return -1;
    digits[2 * i] = (char)('0' + hi);
    digits[2 * i + 1] = (char)('0' + lo);
  }
  digits[2 * bytes] = '\\0';
  return 0;
}`,
  ].join('\n\n');
}

export function generateLayoutC(layout: CodecLayout, fileBase: string): CSource {
  const guard = `${fileBase.toUpperCase()}_H`;
  const h: string[] = [
    `/* ${fileBase}.h — generated by IoT Workbench from a layout codec; regenerate rather than edit. */`,
    `#ifndef ${guard}`,
    `#define ${guard}`,
    '',
    '#include <stddef.h>',
    '#include <stdint.h>',
    '',
    `/* Frames start with a ${layout.messageIdType} message id; multi-byte values are ${layout.endian}-endian. */`,
  ];
  for (const m of layout.messages) h.push(`#define ${fileBase.toUpperCase()}_MSG_${m.name.toUpperCase()} ${m.id}`);
  h.push(
    '',
    `/** The message id of a frame, or -1 when it is too short. */`,
    `int ${fileBase}_message_id(const uint8_t *buf, size_t len);`,
  );
  for (const m of layout.messages) {
    const t = `${fileBase}_${m.name}_t`;
    const about = [m.direction, m.serviceId, m.command].filter(Boolean).join(' ');
    h.push('', `/* ${m.name} (id ${m.id}): ${about} */`, `typedef struct {`, ...structMembers(m), `} ${t};`);
    h.push(`/** Writes the frame; returns its length, or -1 when it does not fit cap or a value is invalid. */`);
    h.push(`int ${fileBase}_${m.name}_pack(const ${t} *m, uint8_t *buf, size_t cap);`);
    h.push(`/** Reads a whole frame; returns 0, or -1 when it is not a valid ${m.name} frame. */`);
    h.push(`int ${fileBase}_${m.name}_unpack(const uint8_t *buf, size_t len, ${t} *m);`);
  }
  h.push('', `#endif /* ${guard} */`, '');

  const c: string[] = [
    `/* ${fileBase}.c — generated by IoT Workbench from a layout codec; regenerate rather than edit. */`,
    `#include "${fileBase}.h"`,
    '',
    '#include <string.h>',
    '',
    helpers(layout.endian === 'little'),
    '',
    `int ${fileBase}_message_id(const uint8_t *buf, size_t len) {`,
    `  if (len < ${numberSize[layout.messageIdType]}) return -1;`,
    `  return (int)get_${layout.messageIdType}(buf);`,
    `}`,
  ];
  for (const m of layout.messages) {
    const t = `${fileBase}_${m.name}_t`;
    c.push(
      '',
      `int ${fileBase}_${m.name}_pack(const ${t} *m, uint8_t *buf, size_t cap) {`,
      ...packBody(layout, m),
      '}',
    );
    c.push(
      '',
      `int ${fileBase}_${m.name}_unpack(const uint8_t *buf, size_t len, ${t} *m) {`,
      ...unpackBody(layout, m),
      '}',
    );
  }
  c.push('');
  return { fileBase, header: h.join('\n'), source: c.join('\n') };
}
