// Rules a product model must follow beyond its types (ranges, uniqueness, R-2.5 topics), plus naming warnings.
import type { DataType, Field, ProductModel } from '../contract/product-model.js';

export type ModelPath = (string | number)[];

export interface ModelIssue {
  severity: 'error' | 'warning';
  code: string;
  message: string;
  path: ModelPath;
}

const numericTypes: ReadonlySet<DataType> = new Set(['int', 'long', 'decimal']);
const stringTypes: ReadonlySet<DataType> = new Set([
  'string',
  'string list',
  'enum',
  'jsonObject',
  'DateTime',
  'binary',
]);
const enumTypes: ReadonlySet<DataType> = new Set(['enum', 'string', 'string list']);

const PASCAL = /^[A-Z][A-Za-z0-9]*$/;
const CAMEL = /^[a-z][A-Za-z0-9]*$/;
const UPPER_SNAKE = /^[A-Z][A-Z0-9_]*$/;
export const MAX_CUSTOM_TOPICS = 10;

/** `services[0].properties[2].max` */
export function formatPath(path: ModelPath): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

function checkField(field: Field, at: ModelPath, issues: ModelIssue[]): void {
  const error = (code: string, message: string, key: string) =>
    issues.push({ severity: 'error', code, message, path: [...at, key] });
  const label = `"${field.name}"`;
  if (field.min !== undefined && field.max !== undefined && field.max < field.min) {
    error('RANGE_INVERTED', `${label}: max ${field.max} is below min ${field.min}`, 'max');
  }
  if (field.step !== undefined && !(field.step > 0)) {
    error('STEP_NOT_POSITIVE', `${label}: step must be greater than 0 (got ${field.step})`, 'step');
  }
  if (field.dataType === 'int' || field.dataType === 'long') {
    for (const key of ['min', 'max'] as const) {
      const v = field[key];
      if (v !== undefined && !Number.isInteger(v)) {
        error('NOT_AN_INTEGER', `${label}: ${key} ${v} is not a whole number for dataType ${field.dataType}`, key);
      }
    }
  }
  if (field.enumList !== undefined) {
    if (!enumTypes.has(field.dataType)) {
      error(
        'ENUM_LIST_NOT_ALLOWED',
        `${label}: enumList is only allowed for dataType enum or string (this one is ${field.dataType})`,
        'enumList',
      );
    } else if (new Set(field.enumList).size !== field.enumList.length) {
      error('ENUM_LIST_DUPLICATE', `${label}: enumList has repeated values`, 'enumList');
    }
  } else if (field.dataType === 'enum') {
    error('ENUM_LIST_MISSING', `${label}: dataType enum needs a non-empty enumList`, 'enumList');
  }
  if (field.maxLength !== undefined && !stringTypes.has(field.dataType)) {
    error(
      'MAX_LENGTH_NOT_ALLOWED',
      `${label}: maxLength is only allowed for string types (this one is ${field.dataType})`,
      'maxLength',
    );
  }
  if (!numericTypes.has(field.dataType) && (field.min !== undefined || field.max !== undefined)) {
    issues.push({
      severity: 'warning',
      code: 'RANGE_IGNORED',
      message: `${label}: min/max only apply to int, long and decimal; they are ignored for ${field.dataType}`,
      path: [...at, field.min !== undefined ? 'min' : 'max'],
    });
  }
}

function checkUnique<T>(
  items: readonly T[],
  nameOf: (item: T) => string,
  at: (index: number) => ModelPath,
  code: string,
  what: string,
  issues: ModelIssue[],
): void {
  const seen = new Set<string>();
  items.forEach((item, i) => {
    const name = nameOf(item);
    if (seen.has(name))
      issues.push({ severity: 'error', code, message: `${what} "${name}" is defined twice`, path: at(i) });
    seen.add(name);
  });
}

function naming(ok: boolean, message: string, path: ModelPath, issues: ModelIssue[]): void {
  if (!ok) issues.push({ severity: 'warning', code: 'NAMING_CONVENTION', message, path });
}

function checkFields(fields: readonly Field[], at: ModelPath, what: string, issues: ModelIssue[]): void {
  checkUnique(
    fields,
    (f) => f.name,
    (i) => [...at, i, 'name'],
    `DUPLICATE_${what.toUpperCase()}`,
    what,
    issues,
  );
  fields.forEach((f, i) => checkField(f, [...at, i], issues));
}

function checkCustomTopics(model: ProductModel, issues: ModelIssue[]): void {
  const topics = model.customTopics;
  if (topics.length === 0) return;
  const error = (code: string, message: string, path: ModelPath) =>
    issues.push({ severity: 'error', code, message, path });
  if (model.protocolType !== 'MQTT') {
    error('CUSTOM_TOPIC_PROTOCOL', 'custom topics are only for MQTT products', ['customTopics']);
  }
  if (topics.length > MAX_CUSTOM_TOPICS) {
    error('TOO_MANY_CUSTOM_TOPICS', `at most ${MAX_CUSTOM_TOPICS} custom topics (found ${topics.length})`, [
      'customTopics',
    ]);
  }
  checkUnique(
    topics,
    (t) => t.suffix,
    (i) => ['customTopics', i, 'suffix'],
    'DUPLICATE_CUSTOM_TOPIC',
    'topic',
    issues,
  );
  topics.forEach((topic, i) => {
    const at: ModelPath = ['customTopics', i, 'suffix'];
    const segments = topic.suffix.split('/');
    if (topic.suffix.length > 64) {
      error('CUSTOM_TOPIC_NAME', `topic "${topic.suffix}" is longer than 64 characters`, at);
    } else if (segments.some((s) => !/^([A-Za-z0-9_]+|\+|#)$/.test(s))) {
      error(
        'CUSTOM_TOPIC_NAME',
        `topic "${topic.suffix}": use letters, digits and _ between slashes (+ and # only as whole levels)`,
        at,
      );
    } else if (segments.some((s) => s === '+' || s === '#') && topic.permission !== 'subscribe') {
      error('CUSTOM_TOPIC_WILDCARD', `topic "${topic.suffix}": + and # are only allowed for subscribe topics`, at);
    } else if (segments.slice(0, -1).includes('#')) {
      error('CUSTOM_TOPIC_WILDCARD', `topic "${topic.suffix}": # may only be the last level`, at);
    }
  });
}

/** Every problem of a model that passed its zod schema; errors block saving, warnings are shown. */
export function checkProductModel(model: ProductModel): ModelIssue[] {
  const issues: ModelIssue[] = [];
  naming(
    PASCAL.test(model.deviceType),
    `deviceType "${model.deviceType}" is usually PascalCase`,
    ['deviceType'],
    issues,
  );

  checkUnique(
    model.services,
    (s) => s.serviceId,
    (i) => ['services', i, 'serviceId'],
    'DUPLICATE_SERVICE_ID',
    'serviceId',
    issues,
  );
  const byType = new Map<string, string>();
  model.services.forEach((service, s) => {
    const at: ModelPath = ['services', s];
    const definition = JSON.stringify({ p: service.properties, c: service.commands });
    const earlier = byType.get(service.serviceType);
    if (earlier !== undefined && earlier !== definition) {
      issues.push({
        severity: 'error',
        code: 'SERVICE_TYPE_CONFLICT',
        message: `services of type "${service.serviceType}" must share one definition (properties and commands)`,
        path: [...at, 'serviceType'],
      });
    }
    byType.set(service.serviceType, definition);
    // The serviceType names a folder of the profile package.
    if (!/^[A-Za-z0-9_-]+$/.test(service.serviceType)) {
      issues.push({
        severity: 'error',
        code: 'INVALID_SERVICE_TYPE',
        message: `serviceType "${service.serviceType}" may only use letters, digits, _ and -`,
        path: [...at, 'serviceType'],
      });
    }
    naming(
      PASCAL.test(service.serviceId),
      `serviceId "${service.serviceId}" is usually PascalCase`,
      [...at, 'serviceId'],
      issues,
    );
    naming(
      PASCAL.test(service.serviceType),
      `serviceType "${service.serviceType}" is usually PascalCase`,
      [...at, 'serviceType'],
      issues,
    );

    checkFields(service.properties, [...at, 'properties'], 'property', issues);
    service.properties.forEach((p, i) =>
      naming(CAMEL.test(p.name), `property "${p.name}" is usually camelCase`, [...at, 'properties', i, 'name'], issues),
    );
    checkUnique(
      service.commands,
      (c) => c.name,
      (i) => [...at, 'commands', i, 'name'],
      'DUPLICATE_COMMAND',
      'command',
      issues,
    );
    service.commands.forEach((command, c) => {
      const cat: ModelPath = [...at, 'commands', c];
      naming(
        UPPER_SNAKE.test(command.name),
        `command "${command.name}" is usually UPPER_SNAKE_CASE`,
        [...cat, 'name'],
        issues,
      );
      checkFields(command.paras, [...cat, 'paras'], 'para', issues);
      checkUnique(
        command.responses,
        (r) => r.name,
        (i) => [...cat, 'responses', i, 'name'],
        'DUPLICATE_RESPONSE',
        'response',
        issues,
      );
      command.responses.forEach((r, i) => checkFields(r.paras, [...cat, 'responses', i, 'paras'], 'para', issues));
    });
  });

  const om = model.omCapability;
  if (om.firmwareUpgrade?.supported && model.protocolType === 'MQTT') {
    issues.push({
      severity: 'warning',
      code: 'OM_PROTOCOL',
      message: 'firmware upgrade over LWM2M applies to CoAP/LwM2M products; MQTT devices upgrade over MQTT OTA',
      path: ['omCapability', 'firmwareUpgrade'],
    });
  }
  checkCustomTopics(model, issues);
  return issues;
}
