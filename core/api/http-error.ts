// An error a route handler throws to answer with a status and the contract's error body.
import type { ApiError } from '../contract/define.js';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly path?: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'HttpError';
  }

  toBody(): ApiError {
    return { code: this.code, message: this.message, path: this.path, details: this.details };
  }
}
