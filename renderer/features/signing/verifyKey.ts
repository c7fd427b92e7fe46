// Which key a verify call names: a stored key pair by name, or a public key file on the core machine by path.

export type VerifyKeySource = 'stored' | 'file';

export type VerifyKey = { keyName: string } | { publicKeyPath: string };

/** The key part of a verify request, or undefined while the chosen source is not filled in. */
export function verifyKey(
  source: VerifyKeySource,
  keyName: string | undefined,
  publicKeyPath: string,
): VerifyKey | undefined {
  if (source === 'stored') return keyName === undefined ? undefined : { keyName };
  const path = publicKeyPath.trim();
  return path === '' ? undefined : { publicKeyPath: path };
}
