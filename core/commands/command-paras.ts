// Checks a command against the device's product model before anything is queued: the service and command exist,
// required paras are there, no unknown para, each value has the model's type, range, length and enum.
import type { CreateCommandInput } from '../contract/commands.js';
import type { Field, ProductModel } from '../contract/product-model.js';
import { DomainError } from '../domain-error.js';
import { checkField } from '../products/index.js';

const refuse = (message: string, path: string) => new DomainError('BAD_COMMAND', message, path);

function checkValues(fields: readonly Field[], values: Record<string, unknown>, where: string, requireAll: boolean) {
  for (const field of fields) {
    if (requireAll && field.required && values[field.name] === undefined)
      throw refuse(`${where}.${field.name} is required by the model`, `body.paras.${field.name}`);
  }
  for (const [name, value] of Object.entries(values)) {
    const field = fields.find((f) => f.name === name);
    if (!field) throw refuse(`${where} has no para ${name}`, `body.paras.${name}`);
    const issue = checkField(field, value, `${where}.${name}`)[0];
    if (issue) throw refuse(issue.message, `body.paras.${name}`);
  }
}

const isMqtt = (model: ProductModel) => model.protocolType === 'MQTT';

/** Throws BAD_COMMAND naming the para and the rule it breaks; returns nothing when the command may be queued. */
export function checkCommand(model: ProductModel, productId: string, input: CreateCommandInput): void {
  if (input.kind !== 'command' && !isMqtt(model))
    throw refuse(
      `${input.kind} is an IoTDA MQTT downlink; product ${productId} uses ${model.protocolType}`,
      'body.kind',
    );
  if (input.kind === 'message') {
    if (typeof input.paras['content'] !== 'string' && !(input.paras['content'] instanceof Object))
      throw refuse('a message needs paras.content (text or JSON)', 'body.paras.content');
    return;
  }
  const service = model.services.find((s) => s.serviceId === input.serviceId);
  if (!service) throw refuse(`product ${productId} has no service ${input.serviceId}`, 'body.serviceId');
  switch (input.kind) {
    case 'command': {
      const command = service.commands.find((c) => c.name === input.method);
      if (!command)
        throw refuse(
          `service ${input.serviceId} has no command ${input.method || '(empty)'}; it has ${service.commands.map((c) => c.name).join(', ') || 'none'}`,
          'body.method',
        );
      return checkValues(command.paras, input.paras, `${input.serviceId}.${input.method}`, true);
    }
    case 'propertiesSet': {
      if (Object.keys(input.paras).length === 0) throw refuse('set at least one property', 'body.paras');
      const writable = service.properties.filter((p) => p.method.includes('W'));
      for (const name of Object.keys(input.paras))
        if (service.properties.some((p) => p.name === name) && !writable.some((p) => p.name === name))
          throw refuse(`${input.serviceId}.${name} is not writable (its access is not W)`, `body.paras.${name}`);
      return checkValues(writable, input.paras, input.serviceId, false);
    }
    case 'propertiesGet':
      return;
  }
}
