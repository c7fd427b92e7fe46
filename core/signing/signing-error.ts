// A signing or verification failure with a code from the contract and a message that names the reason.
import type { SigningFailureCode } from '../contract/signing.js';

export class SigningError extends Error {
  constructor(
    readonly code: SigningFailureCode,
    message: string,
    readonly entry?: string,
  ) {
    super(message);
    this.name = 'SigningError';
  }
}
