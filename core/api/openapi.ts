// The OpenAPI 3.1 document, generated from the contract's zod schemas.
import { z } from 'zod';
import { apiErrorSchema, binaryDownloadSchema, openApiPath, type RouteContract } from '../contract/define.js';

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  return z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' });
}

function parameters(schema: z.ZodType | undefined, location: 'path' | 'query'): unknown[] {
  if (!schema) return [];
  const js = jsonSchema(schema, 'input') as { properties?: Record<string, unknown>; required?: string[] };
  return Object.entries(js.properties ?? {}).map(([name, s]) => ({
    name,
    in: location,
    required: location === 'path' || (js.required ?? []).includes(name),
    schema: s,
  }));
}

export function buildOpenApiDocument(routes: readonly RouteContract[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const errorResponse = {
    description: 'Error',
    content: { 'application/json': { schema: jsonSchema(apiErrorSchema, 'output') } },
  };
  for (const route of routes) {
    const path = openApiPath(route.path);
    const success =
      route.response === binaryDownloadSchema
        ? { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } }
        : { 'application/json': { schema: jsonSchema(route.response, 'output') } };
    const operation: Record<string, unknown> = {
      summary: route.summary,
      tags: [route.tag],
      security: [{ bearer: [] }],
      parameters: [...parameters(route.params, 'path'), ...parameters(route.query, 'query')],
      responses: {
        [String(route.status ?? 200)]: {
          description: 'Success',
          content: success,
        },
        '4XX': errorResponse,
        '5XX': errorResponse,
      },
    };
    if (route.body === 'binary') {
      operation.requestBody = {
        required: true,
        content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
      };
    } else if (route.body) {
      operation.requestBody = {
        required: true,
        content: { 'application/json': { schema: jsonSchema(route.body, 'input') } },
      };
    }
    (paths[path] ??= {})[route.method.toLowerCase()] = operation;
  }
  return {
    openapi: '3.1.0',
    info: { title: 'IoT Workbench API', version },
    servers: [{ url: '/' }],
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    paths,
  };
}
