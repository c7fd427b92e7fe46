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
  /** False while the secret is one generated at first start that nobody has seen: reset it to get one. */
  secretKnown: z.boolean(),
  /** Devices the application holds (the default one holds every device no other application registered). */
  deviceCount: z.number().int().min(0),
  createdAt: z.string(),
  /** When the newest access token expires (absent: nobody is logged in). */
  tokenExpiresAt: z.string().optional(),
});
export type Application = z.infer<typeof applicationSchema>;

/** query = read the owner's devices and their data; edit = also register, modify and delete them. */
export const grantAccessSchema = z.enum(['query', 'edit']);
export type GrantAccess = z.infer<typeof grantAccessSchema>;

export const applicationGrantSchema = z.object({
  ownerAppId: z.string(),
  ownerName: z.string(),
  granteeAppId: z.string(),
  granteeName: z.string(),
  access: grantAccessSchema,
  createdAt: z.string(),
});
export type ApplicationGrant = z.infer<typeof applicationGrantSchema>;

/** Where application servers reach the northbound API, and what they need to trust it. */
export const northboundEndpointSchema = z.object({
  /** False when no northbound port is bound. */
  enabled: z.boolean(),
  /** e.g. `https://127.0.0.1:8743` (absent when disabled). */
  baseUrl: z.string().optional(),
  tls: z.boolean(),
  /** The server certificate (PEM) a client passes to `curl --cacert`; absent without TLS. */
  certFile: z.string().optional(),
  fingerprint256: z.string().optional(),
  /** Mutual TLS: clients must present a certificate signed by this CA file. */
  clientCaFile: z.string().optional(),
});
export type NorthboundEndpoint = z.infer<typeof northboundEndpointSchema>;

const appParams = z.object({ appId: z.string().min(1).max(64) });
const grantParams = appParams.extend({ granteeAppId: z.string().min(1).max(64) });

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
  deleteApplication: defineRoute({
    method: 'DELETE',
    path: '/api/apps/:appId',
    tag: 'apps',
    summary: 'Delete an application (refused for the default one and while it owns devices); its grants go too',
    params: appParams,
    response: z.object({ deleted: z.literal(true) }),
  }),
  listApplicationGrants: defineRoute({
    method: 'GET',
    path: '/api/apps/:appId/grants',
    tag: 'apps',
    summary: "Grants the application gave on its devices and received on other applications' devices",
    params: appParams,
    response: z.object({ given: z.array(applicationGrantSchema), received: z.array(applicationGrantSchema) }),
  }),
  grantApplicationAccess: defineRoute({
    method: 'PUT',
    path: '/api/apps/:appId/grants/:granteeAppId',
    tag: 'apps',
    summary: "Let another application query or edit this application's devices (replaces an earlier grant)",
    params: grantParams,
    body: z.object({ access: grantAccessSchema }),
    response: applicationGrantSchema,
  }),
  revokeApplicationGrant: defineRoute({
    method: 'DELETE',
    path: '/api/apps/:appId/grants/:granteeAppId',
    tag: 'apps',
    summary: 'Revoke the grant to one application; its next northbound call for this app is refused',
    params: grantParams,
    response: z.object({ revoked: z.literal(true) }),
  }),
  northboundEndpoint: defineRoute({
    method: 'GET',
    path: '/api/northbound',
    tag: 'apps',
    summary: 'The northbound API base URL and its TLS setup',
    response: northboundEndpointSchema,
  }),
} as const;
