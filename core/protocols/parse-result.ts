// What the content-format parsers return: a value or an error with a code and a message, never a throw.
export interface ParseError {
  code: string;
  message: string;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: ParseError };

export const parsed = <T>(value: T): Parsed<T> => ({ ok: true, value });
export const parseError = <T = never>(code: string, message: string): Parsed<T> => ({
  ok: false,
  error: { code, message },
});
