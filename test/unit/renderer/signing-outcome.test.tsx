// @vitest-environment jsdom
// Failure codes in words: every signing and library refusal code has its sentence in both languages, and a
// refusal shows the entry at fault or both fingerprints.
import { MantineProvider } from '@mantine/core';
import type { ReactNode } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { signingFailureCodes, type VerifyResult } from '../../../core/contract/index.js';
import { ApiClientError } from '../../../renderer/api/client.js';
import i18n from '../../../renderer/app/i18n.js';
import { LibraryRefusal } from '../../../renderer/features/packages/PackageLibraryPage.js';
import { isSigningFailureCode, VerifyOutcome } from '../../../renderer/features/signing/SigningOutcome.js';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = false;

const ours = 'a'.repeat(64);
const theirs = 'b'.repeat(64);
const tampered: VerifyResult = {
  valid: false,
  code: 'ENTRY_CHANGED',
  message: 'entry changed after signing: tracker_fw_v2.bin',
  problems: [{ code: 'ENTRY_CHANGED', message: 'entry changed after signing', entry: 'tracker_fw_v2.bin' }],
  keyFingerprint: ours,
  signedWithFingerprint: ours,
  entries: 1,
  bytes: 1000,
};

let container: HTMLDivElement;
let root: Root;

beforeEach(async () => {
  await i18n.changeLanguage('en');
  vi.stubGlobal('matchMedia', (query: string) => ({
    matches: false,
    media: query,
    addEventListener: () => undefined,
    removeEventListener: () => undefined,
    addListener: () => undefined,
    removeListener: () => undefined,
  }));
  container = document.createElement('div');
  document.body.append(container);
  root = createRoot(container);
});

afterEach(() => {
  root.unmount();
  container.remove();
  vi.unstubAllGlobals();
});

async function show(node: ReactNode): Promise<string> {
  root.render(<MantineProvider env="test">{node}</MantineProvider>);
  await vi.waitFor(() => expect(container.textContent).not.toBe(''), { timeout: 3000 });
  return container.textContent ?? '';
}

describe('failure codes in words', () => {
  it.each(['en', 'zh-CN'])('every signing failure code has its own sentence in %s', async (language) => {
    await i18n.changeLanguage(language);
    const sentences = signingFailureCodes.map((code) => i18n.t(`signing.failure.${code}`));
    for (const [i, sentence] of sentences.entries()) expect(sentence, signingFailureCodes[i]).not.toMatch(/^signing\./);
    expect(new Set(sentences).size).toBe(sentences.length);
  });

  it('the library names the refusals of a tampered or foreign package in both languages', async () => {
    for (const language of ['en', 'zh-CN']) {
      await i18n.changeLanguage(language);
      for (const code of ['ENTRY_CHANGED', 'ENTRY_ADDED', 'ENTRY_REMOVED', 'SIGNATURE_INVALID', 'MISSING_METADATA']) {
        expect(i18n.exists(`packages.refusal.${code}`), `${language} ${code}`).toBe(true);
      }
    }
  });

  it('tells signing codes from other API codes', () => {
    expect(isSigningFailureCode('ENTRY_CHANGED')).toBe(true);
    expect(isSigningFailureCode('PACKAGE_EXISTS')).toBe(false);
  });
});

describe('verify outcome', () => {
  it('names the changed entry', async () => {
    const text = await show(<VerifyOutcome result={tampered} />);
    expect(text).toContain(i18n.t('signing.failure.ENTRY_CHANGED'));
    expect(container.querySelector('[data-testid="problem-entry"]')?.textContent).toBe('tracker_fw_v2.bin');
    expect(container.querySelector('[data-testid="fingerprints"]')).toBeNull();
  });

  it('shows both fingerprints when the signature is not from the chosen key', async () => {
    await show(
      <VerifyOutcome
        result={{
          ...tampered,
          code: 'SIGNATURE_INVALID',
          problems: [{ code: 'SIGNATURE_INVALID', message: 'signature invalid for this key' }],
          signedWithFingerprint: theirs,
        }}
      />,
    );
    expect(container.querySelector('[data-testid="fingerprint-chosen"]')?.textContent).toBe(ours);
    expect(container.querySelector('[data-testid="fingerprint-signed-with"]')?.textContent).toBe(theirs);
  });
});

describe('library refusal', () => {
  it('a tampered upload shows the refusal in words, the code and the entry', async () => {
    const error = new ApiClientError({
      code: 'ENTRY_CHANGED',
      message: tampered.message,
      status: 422,
      details: { verification: tampered },
    });
    const text = await show(<LibraryRefusal error={error} testId="refused" />);
    expect(text).toContain('An entry was changed after signing');
    expect(text).toContain('ENTRY_CHANGED');
    expect(container.querySelector('[data-testid="problem-entry"]')?.textContent).toBe('tracker_fw_v2.bin');
  });

  it('an unknown code falls back to the API error title and still shows the message', async () => {
    const error = new ApiClientError({ code: 'SOMETHING_NEW', message: 'the core said why', status: 400 });
    const text = await show(<LibraryRefusal error={error} testId="refused" />);
    expect(text).toContain('SOMETHING_NEW');
    expect(text).toContain('the core said why');
  });
});
