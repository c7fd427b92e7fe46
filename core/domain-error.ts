// What a service throws when a request cannot be done: a code, a human message and the input it is about.
// Services never speak HTTP: the workbench API maps codes to statuses (core/api/error-statuses.ts) and the
// northbound API maps the same codes to the platform's error_codes (core/northbound/northbound-errors.ts).
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
}
