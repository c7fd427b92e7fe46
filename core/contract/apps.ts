// Applications: the project spaces application servers log in as on the northbound API.
import { z } from 'zod';
import { defineRoute } from './define.js';

/** The platform's appIds are letters, digits and `_`; we also allow `-` and `.` for hand-picked CI ids. */
export const appIdSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_.-]+$/, 'appId may only hold letters, digits and _ . -');

export const appSecretSchema = z
  .string()
  .min(8, 'an application secret is at least 8 characters')
  .max(128)
  .regex(/^[\x21-\x7e]+$/, 'an application secret is printable ASCII without spaces');

export const applicationSchema = z.object({
  appId: z.string(),
  name: z.string(),
  industry: z.string().optional(),
  /** off = reports still update the latest values, but no history is kept. */
  storeHistory: z.boolean(),
  isDefault: z.boolean(),
  createdAt: z.string(),
  /** When the newest access token expires (absent: nobody is logged in). */
  tokenExpiresAt: z.string().optional(),
});
export type Application = z.infer<typeof applicationSchema>;

const appParams = z.object({ appId: z.string().min(1).max(64) });

export const appRoutes = {
  listApplications: defineRoute({
    method: 'GET',
    path: '/api/apps',
    tag: 'apps',
    summary: 'Applications (the default one first)',
    response: z.object({ items: z.array(applicationSchema) }),
  }),
  createApplication: defineRoute({
    method: 'POST',
    path: '/api/apps',
    tag: 'apps',
    summary: 'Create an application; its secret is returned once',
    body: z.object({
      name: z.string().min(1).max(64),
      industry: z.string().max(64).optional(),
      appId: appIdSchema.optional(),
      secret: appSecretSchema.optional(),
    }),
    response: z.object({ application: applicationSchema, secret: z.string() }),
    status: 201,
  }),
  getApplication: defineRoute({
    method: 'GET',
    path: '/api/apps/:appId',
    tag: 'apps',
    summary: 'One application',
    params: appParams,
    response: applicationSchema,
  }),
  updateApplication: defineRoute({
    method: 'PUT',
    path: '/api/apps/:appId',
    tag: 'apps',
    summary: 'Change the industry or the "store history data" switch (the name is immutable)',
    params: appParams,
    body: z.object({ industry: z.string().max(64).optional(), storeHistory: z.boolean().optional() }),
    response: applicationSchema,
  }),
  resetApplicationSecret: defineRoute({
    method: 'POST',
    path: '/api/apps/:appId/secret',
    tag: 'apps',
    summary: 'Set a new secret (generated when empty); the old secret and all tokens stop working at once',
    params: appParams,
    body: z.object({ secret: appSecretSchema.optional() }),
    response: z.object({ appId: z.string(), secret: z.string() }),
  }),
} as const;
