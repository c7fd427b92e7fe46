// Checks a decoded message against the product model: unknown services/properties, wrong types, out-of-range values.
import type { CodecIssue, DecodedMessage } from '../contract/codecs.js';
import type { ProductModel } from '../contract/product-model.js';
import { checkField } from '../products/index.js';

export function validateDecoded(model: ProductModel | undefined, message: DecodedMessage): CodecIssue[] {
  if (!model) {
    return [
      {
        severity: 'warning',
        code: 'NO_PRODUCT_MODEL',
        message: 'the product model is unknown; values were not checked',
      },
    ];
  }
  const issues: CodecIssue[] = [];
  if (message.kind === 'data') {
    message.services.forEach((s, i) => {
      const service = model.services.find((m) => m.serviceId === s.serviceId);
      const at = `services[${i}]`;
      if (!service) {
        issues.push({
          severity: 'error',
          code: 'UNKNOWN_SERVICE',
          path: `${at}.serviceId`,
          message: `the model has no service ${s.serviceId}`,
        });
        return;
      }
      for (const [name, value] of Object.entries(s.properties)) {
        const property = service.properties.find((p) => p.name === name);
        if (!property) {
          issues.push({
            severity: 'error',
            code: 'UNKNOWN_PROPERTY',
            path: `${s.serviceId}.${name}`,
            message: `service ${s.serviceId} has no property ${name}`,
          });
          continue;
        }
        issues.push(...checkField(property, value, `${s.serviceId}.${name}`));
      }
      for (const p of service.properties) {
        if (p.required && !(p.name in s.properties)) {
          issues.push({
            severity: 'warning',
            code: 'MISSING_PROPERTY',
            path: `${s.serviceId}.${p.name}`,
            message: `required property ${p.name} is missing`,
          });
        }
      }
    });
    return issues;
  }
  if (message.mid < 0 || message.mid > 65535) {
    issues.push({
      severity: 'error',
      code: 'OUT_OF_RANGE',
      path: 'mid',
      message: `mid ${message.mid} is outside 0..65535`,
    });
  }
  if (message.commandName) {
    const response = model.services.flatMap((s) => s.commands).find((c) => c.name === message.commandName)
      ?.responses[0];
    if (response) {
      for (const [name, value] of Object.entries(message.body)) {
        const field = response.paras.find((p) => p.name === name);
        if (!field) {
          issues.push({
            severity: 'warning',
            code: 'UNKNOWN_FIELD',
            path: `body.${name}`,
            message: `the response of ${message.commandName} has no field ${name}`,
          });
          continue;
        }
        issues.push(...checkField(field, value, `body.${name}`));
      }
    }
  }
  return issues;
}
