// Evaluates a parsed display filter against a decoded frame's field values.
import type { FieldValue, FieldValues } from '../decode/layer-types.js';
import { isProtocolField, type CompareOp, type FilterNode, type Literal } from './filter-parser.js';

/** Fields whose values are names, compared without regard to case (`mqtt.type == PUBLISH`). */
const NAME_FIELDS = new Set(['proto', 'dir', 'transport', 'mqtt.type', 'coap.type', 'lwm2m.op', 'pcp.kind']);

function compareOne(field: string, v: FieldValue, op: CompareOp, lit: Literal): boolean {
  if (op === 'matches') return lit.regex ? lit.regex.test(String(v)) : false;
  if (op === 'contains') return String(v).includes(lit.text);
  if (typeof v === 'boolean') {
    const b = lit.text.toLowerCase() === 'true' ? true : lit.text.toLowerCase() === 'false' ? false : undefined;
    if (b === undefined) return false;
    return op === '==' ? v === b : op === '!=' ? v !== b : false;
  }
  let a: string | number = v;
  let b: string | number = lit.text;
  if (typeof v === 'number') {
    if (lit.number === undefined) return op === '!=';
    b = lit.number;
  } else if (NAME_FIELDS.has(field)) {
    a = v.toLowerCase();
    b = lit.text.toLowerCase();
  } else if (lit.number !== undefined && /^-?\d+(?:\.\d+)?$/.test(v) && op !== '==' && op !== '!=') {
    // Ordered comparison of numeric text, e.g. coap.code >= 4.00.
    a = Number(v);
    b = lit.number;
  }
  switch (op) {
    case '==':
      return a === b;
    case '!=':
      return a !== b;
    case '<':
      return a < b;
    case '>':
      return a > b;
    case '<=':
      return a <= b;
    case '>=':
      return a >= b;
  }
}

export function evaluateFilter(node: FilterNode | undefined, values: FieldValues): boolean {
  if (!node) return true;
  switch (node.kind) {
    case 'and':
      return evaluateFilter(node.left, values) && evaluateFilter(node.right, values);
    case 'or':
      return evaluateFilter(node.left, values) || evaluateFilter(node.right, values);
    case 'not':
      return !evaluateFilter(node.operand, values);
    case 'exists': {
      if (isProtocolField(node.field)) {
        const p = values.proto;
        return Array.isArray(p) ? p.includes(node.field) : p === node.field;
      }
      const v = values[node.field];
      return v === true || (v !== undefined && v !== false && !(Array.isArray(v) && v.length === 0));
    }
    case 'compare': {
      const v = values[node.field];
      if (v === undefined) return false;
      if (Array.isArray(v)) {
        // Like Wireshark: != holds when no value equals; every other operator when any value matches.
        if (node.op === '!=') return v.every((x) => compareOne(node.field, x, '!=', node.value));
        return v.some((x) => compareOne(node.field, x, node.op, node.value));
      }
      return compareOne(node.field, v, node.op, node.value);
    }
  }
}
