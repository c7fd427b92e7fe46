// Contract of board flashing: ESP32/ESP8266 (esptool-js) and STM32 (AN3155 USART bootloader) over serial.
import { z } from 'zod';
import { defineRoute } from './define.js';

export const flashChips = ['auto', 'esp32', 'esp8266', 'stm32'] as const;
export const flashChipSchema = z.enum(flashChips);
export type FlashChip = z.infer<typeof flashChipSchema>;

/**
 * `auto`: the board's RTS/DTR auto-reset wiring puts it into the bootloader; `manual`: the user holds BOOT (ESP)
 * or sets BOOT0 (STM32) and taps RESET; `usb-jtag`: ESP chips on their own USB-Serial/JTAG port.
 */
export const flashResetSchema = z.enum(['auto', 'manual', 'usb-jtag']);

const portField = z.string().min(1).max(4096);

export const flashConnectSchema = z.object({
  port: portField,
  chip: flashChipSchema.default('auto'),
  /** Baud rate for the transfer; ESP loaders start at 115200 and switch, STM32 stays at this rate. */
  baudRate: z.number().int().min(1200).max(3_000_000).default(115200),
  reset: flashResetSchema.default('auto'),
  /** STM32 only: AN3155 is 8E1; `none` for a line that cannot carry parity (a pty). */
  parity: z.enum(['even', 'none']).default('even'),
});
export type FlashConnect = z.infer<typeof flashConnectSchema>;

const fileImageSchema = z.object({
  /** Flash offset (ESP) or absolute address (STM32 .bin); ignored for Intel hex, whose records carry addresses. */
  offset: z.number().int().min(0).max(0xffffffff),
  name: z.string().max(256).nullable().default(null),
  format: z.enum(['bin', 'hex']).default('bin'),
  base64: z.string().min(1).max(24_000_000),
});

/** A firmware or software package from the library: its signature is checked again before it is written. */
const packageImageSchema = z.object({
  offset: z.number().int().min(0).max(0xffffffff),
  packageId: z.string().min(1).max(64),
});

export const flashImageSchema = z.union([fileImageSchema, packageImageSchema]);
export type FlashImageInput = z.infer<typeof flashImageSchema>;

export const flashRequestSchema = flashConnectSchema.extend({
  images: z.array(flashImageSchema).max(8).default([]),
  eraseAll: z.boolean().default(false),
  verify: z.boolean().default(true),
  /** Reset into the new firmware afterwards. */
  hardReset: z.boolean().default(true),
  /** STM32: remove read protection first (mass-erases the chip). */
  readoutUnprotect: z.boolean().default(false),
  writeUnprotect: z.boolean().default(false),
  /** Images from files carry no signature: writing them is an explicit choice. */
  allowUnsigned: z.boolean().default(false),
});
export type FlashRequest = z.infer<typeof flashRequestSchema>;

export const flashChipInfoSchema = z.object({
  chip: z.enum(['esp32', 'esp8266', 'stm32']),
  description: z.string(),
  mac: z.string().nullable(),
  flashId: z.string().nullable(),
  flashSize: z.string().nullable(),
  details: z.array(z.string()),
});
export type FlashChipInfo = z.infer<typeof flashChipInfoSchema>;

export const flashedImageSchema = z.object({
  offset: z.number().int(),
  size: z.number().int(),
  sha256: z.string(),
  name: z.string().nullable(),
  /** From the library: the package, its version and the manufacturer key its signature verified with. */
  packageId: z.string().nullable().default(null),
  packageVersion: z.string().nullable().default(null),
  signedBy: z.string().nullable().default(null),
});
export type FlashedImage = z.infer<typeof flashedImageSchema>;

export const flashStatuses = ['running', 'ok', 'failed'] as const;

export const flashOperationSchema = z.object({
  id: z.string(),
  port: z.string(),
  /** What was asked for (`auto` until detected) and what was found. */
  chip: z.string(),
  chipDescription: z.string().nullable(),
  mac: z.string().nullable(),
  images: z.array(flashedImageSchema),
  /** SHA-256 over the images in order. */
  imageHash: z.string(),
  eraseAll: z.boolean(),
  verify: z.boolean(),
  status: z.enum(flashStatuses),
  /** Bytes of image written so far (compressed transfers are counted in image bytes). */
  written: z.number().int(),
  total: z.number().int(),
  startedAt: z.number(),
  finishedAt: z.number().nullable(),
  durationMs: z.number().nullable(),
  verified: z.boolean().nullable(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  log: z.array(z.string()),
});
export type FlashOperation = z.infer<typeof flashOperationSchema>;

export const flashEventSchema = z.object({
  at: z.number(),
  operationId: z.string(),
  status: z.enum(flashStatuses),
  phase: z.enum(['connect', 'erase', 'write', 'verify', 'done']),
  written: z.number().int(),
  total: z.number().int(),
  bytesPerSecond: z.number(),
  line: z.string().optional(),
});

export const flashRoutes = {
  detectFlashChip: defineRoute({
    method: 'POST',
    path: '/api/flash/detect',
    tag: 'flash',
    summary: 'Enter the bootloader on a serial port, identify the chip (MAC, flash id) and let the port go',
    body: flashConnectSchema,
    response: flashChipInfoSchema,
  }),
  startFlash: defineRoute({
    method: 'POST',
    path: '/api/flash',
    tag: 'flash',
    summary: 'Flash images to a board; the port is taken over from an open terminal and handed back afterwards',
    body: flashRequestSchema,
    response: flashOperationSchema,
    status: 202,
  }),
  listFlashOperations: defineRoute({
    method: 'GET',
    path: '/api/flash/operations',
    tag: 'flash',
    summary: 'Flash operations, newest first',
    response: z.object({ operations: z.array(flashOperationSchema) }),
  }),
  getFlashOperation: defineRoute({
    method: 'GET',
    path: '/api/flash/operations/:id',
    tag: 'flash',
    summary: 'One flash operation with its log',
    params: z.object({ id: z.string() }),
    response: flashOperationSchema,
  }),
} as const;
