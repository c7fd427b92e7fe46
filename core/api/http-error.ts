// An error with its own HTTP status: only core/access still throws it; everything else throws DomainError
// (core/domain-error.ts). Remove it once core/access is converted.
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
