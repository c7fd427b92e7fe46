import { describe, expect, it } from 'vitest';
import { apiRoutes, openApiPath } from '../../../../core/contract/index.js';
import { buildOpenApiDocument } from '../../../../core/api/openapi.js';

describe('OpenAPI document', () => {
  it('describes every contract route with its method, parameters and schemas', () => {
    const doc = buildOpenApiDocument(Object.values(apiRoutes), '1.2.3') as {
      openapi: string;
      info: { version: string };
      paths: Record<string, Record<string, { parameters: { name: string }[]; requestBody?: unknown }>>;
    };
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.version).toBe('1.2.3');
    for (const route of Object.values(apiRoutes)) {
      expect(
        doc.paths[openApiPath(route.path)]?.[route.method.toLowerCase()],
        `${route.method} ${route.path}`,
      ).toBeDefined();
    }
    expect(doc.paths['/api/logs']?.get?.parameters.map((p) => p.name)).toEqual(['limit', 'minLevel']);
    expect(doc.paths['/api/settings']?.put?.requestBody).toBeDefined();
  });
});
