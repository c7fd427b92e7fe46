// Checks one reported or commanded value against its field in the product model: type, range, length, enum.
import type { CodecIssue } from '../contract/codecs.js';
import type { Field } from '../contract/product-model.js';

function typeProblem(field: Field, value: unknown): string | undefined {
  switch (field.dataType) {
    case 'int':
    case 'long':
      return typeof value === 'number' && Number.isInteger(value) ? undefined : 'an integer';
    case 'decimal':
      return typeof value === 'number' && Number.isFinite(value) ? undefined : 'a number';
    case 'string':
    case 'DateTime':
    case 'enum':
    case 'binary':
      return typeof value === 'string' ? undefined : 'a string';
    case 'boolean':
      return typeof value === 'boolean' || value === 0 || value === 1 ? undefined : 'a boolean';
    case 'jsonObject':
      return typeof value === 'object' && value !== null ? undefined : 'a JSON object';
    case 'string list':
      return Array.isArray(value) && value.every((v) => typeof v === 'string') ? undefined : 'a list of strings';
  }
}

export function checkField(field: Field, value: unknown, path: string): CodecIssue[] {
  const expected = typeProblem(field, value);
  if (expected) {
    return [
      {
        severity: 'error',
        code: 'WRONG_TYPE',
        path,
        message: `${path} is ${JSON.stringify(value)}; ${field.dataType} needs ${expected}`,
      },
    ];
  }
  const issues: CodecIssue[] = [];
  if (typeof value === 'number') {
    if (field.min !== undefined && value < field.min) {
      issues.push({
        severity: 'error',
        code: 'OUT_OF_RANGE',
        path,
        message: `${path} = ${value} is below the minimum ${field.min}`,
      });
    }
    if (field.max !== undefined && value > field.max) {
      issues.push({
        severity: 'error',
        code: 'OUT_OF_RANGE',
        path,
        message: `${path} = ${value} is above the maximum ${field.max}`,
      });
    }
  }
  if (typeof value === 'string') {
    if (field.maxLength !== undefined && value.length > field.maxLength) {
      issues.push({
        severity: 'error',
        code: 'TOO_LONG',
        path,
        message: `${path} has ${value.length} characters; the most is ${field.maxLength}`,
      });
    }
    if (field.dataType === 'enum' && field.enumList && !field.enumList.includes(value)) {
      issues.push({
        severity: 'error',
        code: 'NOT_IN_ENUM',
        path,
        message: `${path} = "${value}" is not one of ${field.enumList.join(', ')}`,
      });
    }
  }
  return issues;
}
