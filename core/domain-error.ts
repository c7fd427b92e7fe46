// What a service throws when a request cannot be done: a code, a human message and the input it is about.
// Services never speak HTTP: the workbench API maps codes to statuses (core/api/error-statuses.ts) and the
// northbound API maps the same codes to the platform's error_codes (core/northbound/northbound-errors.ts).
import type { ApiError } from './contract/define.js';

export class DomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly path?: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'DomainError';
  }

  /** The contract's error body; a subclass may add a field that clients already read. */
  toBody(): ApiError {
    return { code: this.code, message: this.message, path: this.path, details: this.details };
  }
}
