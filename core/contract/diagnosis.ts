// Remote diagnosis of LwM2M devices: module reboot (/3/0/4) and log collection (/20/0/4014) as tasks.
import { z } from 'zod';
import { binaryDownloadSchema, defineRoute } from './define.js';
import type { ProductModel } from './product-model.js';

export const diagnosisKinds = ['reboot', 'logs'] as const;
export type DiagnosisKind = (typeof diagnosisKinds)[number];

/** Waiting: not sent yet (device asleep, or the reboot's 10 s grace); Processing: sent, no answer yet. */
export const diagnosisStatuses = ['Waiting', 'Processing', 'Success', 'Fail'] as const;
export type DiagnosisStatus = (typeof diagnosisStatuses)[number];

/** Why a product's devices cannot be diagnosed: not CoAP/LwM2M, or no maintenance capability declared. */
export function diagnosisBlocker(
  model: Pick<ProductModel, 'protocolType' | 'omCapability'>,
): 'protocol' | 'omCapability' | undefined {
  if (model.protocolType === 'MQTT') return 'protocol';
  const om = model.omCapability;
  return [om.upgrade, om.firmwareUpgrade, om.config].some((c) => c?.supported === true) ? undefined : 'omCapability';
}

/** What a task's result says, as a code the UI words in its language; `message` keeps the English text. */
export const diagnosisMessageCodes = [
  /** The device acknowledged Execute /3/0/4. */
  'rebootAccepted',
  /** Params: bytes. */
  'logCollected',
  'notSentIn25h',
  'noAnswerIn30min',
  /** The device answered with an error. Params: code (`4.05`), codeName (`Method Not Allowed`). */
  'deviceAnswered',
  /** The server could not make the request at all. Params: reason (the server's English detail). */
  'requestFailed',
] as const;
export type DiagnosisMessageCode = (typeof diagnosisMessageCodes)[number];
export const diagnosisMessageParamsSchema = z.record(z.string(), z.union([z.string(), z.number()]));
export type DiagnosisMessageParams = z.infer<typeof diagnosisMessageParamsSchema>;

export const diagnosisTaskSchema = z.object({
  taskId: z.string(),
  deviceId: z.string(),
  kind: z.enum(diagnosisKinds),
  status: z.enum(diagnosisStatuses),
  /** The LwM2M path acted on: `/3/0/4` or `/20/0/4014`. */
  path: z.string(),
  createdAt: z.string(),
  /** When the instruction first went to the device. */
  sentAt: z.string().optional(),
  finishedAt: z.string().optional(),
  /** Why it failed, or what the device answered (English). */
  message: z.string().optional(),
  /** The same as a code and its values, for the UI's languages. */
  messageCode: z.enum(diagnosisMessageCodes).optional(),
  messageParams: diagnosisMessageParamsSchema.optional(),
  /** Collected log size in bytes (log tasks that succeeded). */
  logBytes: z.number().int().optional(),
});
export type DiagnosisTask = z.infer<typeof diagnosisTaskSchema>;

const deviceParams = z.object({ id: z.string().min(1).max(160) });
const taskParams = z.object({ taskId: z.string().min(1).max(64) });

export const diagnosisRoutes = {
  rebootDevice: defineRoute({
    method: 'POST',
    path: '/api/devices/:id/diagnosis/reboot',
    tag: 'diagnosis',
    summary:
      'Reboot the module (Execute /3/0/4) once the device is online or reports; CoAP/LwM2M products with omCapability only',
    params: deviceParams,
    response: diagnosisTaskSchema,
    status: 201,
  }),
  collectDeviceLogs: defineRoute({
    method: 'POST',
    path: '/api/devices/:id/diagnosis/logs',
    tag: 'diagnosis',
    summary: 'Collect the device log (Read /20/0/4014) once the device is online or reports',
    params: deviceParams,
    response: diagnosisTaskSchema,
    status: 201,
  }),
  listDiagnosisTasks: defineRoute({
    method: 'GET',
    path: '/api/devices/:id/diagnosis/tasks',
    tag: 'diagnosis',
    summary: 'Diagnosis tasks of a device, newest first',
    params: deviceParams,
    response: z.object({ tasks: z.array(diagnosisTaskSchema) }),
  }),
  getDiagnosisTask: defineRoute({
    method: 'GET',
    path: '/api/diagnosis/tasks/:taskId',
    tag: 'diagnosis',
    summary: 'One diagnosis task',
    params: taskParams,
    response: diagnosisTaskSchema,
  }),
  downloadDiagnosisLog: defineRoute({
    method: 'GET',
    path: '/api/diagnosis/tasks/:taskId/log',
    tag: 'diagnosis',
    summary: 'The log a successful log-collection task brought back',
    params: taskParams,
    response: binaryDownloadSchema,
  }),
} as const;
