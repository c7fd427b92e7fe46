// What the passphrase field shows while typing: the rule's failing part in words, and the strength meter.
import { beforeAll, describe, expect, it } from 'vitest';
import { checkPassphrase } from '../../../core/contract/index.js';
import i18n from '../../../renderer/app/i18n.js';
import { passphraseProblemText, strengthDisplay } from '../../../renderer/features/signing/PassphraseField.js';
import { verifyKey } from '../../../renderer/features/signing/verifyKey.js';

describe('passphrase feedback', () => {
  beforeAll(async () => {
    await i18n.changeLanguage('en');
  });
  const problem = (p: string) => passphraseProblemText(checkPassphrase(p), i18n.t);

  it('says too short, with the minimum', () => {
    expect(problem('Ab1')).toContain('6');
    expect(strengthDisplay(checkPassphrase('Ab1'))).toEqual({
      percent: 8,
      color: 'red',
      labelKey: 'signing.passphrase.unusable',
    });
  });

  it('names the one kind used and the kinds that would fix it', () => {
    expect(problem('abcdefgh')).toBe(
      'Uses only lower case letters; add upper case letters or digits or special characters.',
    );
  });

  it('has no problem once two kinds are mixed, and strength grows with kinds and length', () => {
    expect(problem('abcdef1')).toBeUndefined();
    const weak = strengthDisplay(checkPassphrase('abcdef1'));
    const strong = strengthDisplay(checkPassphrase('Release-2024!-long'));
    expect(weak.percent).toBeLessThan(strong.percent);
    expect(strong).toEqual({ percent: 100, color: 'teal', labelKey: 'signing.passphrase.strength.4' });
    expect(i18n.t(strong.labelKey)).toBe('Strong');
  });

  it('reads in Chinese too, with no key left untranslated', async () => {
    await i18n.changeLanguage('zh-CN');
    try {
      const text = problem('abcdefgh') ?? '';
      expect(text).not.toContain('signing.');
      expect(text).toMatch(/[\u4e00-\u9fff]/);
    } finally {
      await i18n.changeLanguage('en');
    }
  });
});

describe('verify key choice', () => {
  it('a stored key goes by name, a public key file by its trimmed path', () => {
    expect(verifyKey('stored', 'team-rsa', '/ignored.pem')).toEqual({ keyName: 'team-rsa' });
    expect(verifyKey('file', 'team-rsa', '  /keys/public.pem ')).toEqual({ publicKeyPath: '/keys/public.pem' });
  });
  it('is not ready until the chosen source is filled in', () => {
    expect(verifyKey('stored', undefined, '/keys/public.pem')).toBeUndefined();
    expect(verifyKey('file', 'team-rsa', '   ')).toBeUndefined();
  });
});
