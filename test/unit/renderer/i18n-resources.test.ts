import { describe, expect, it } from 'vitest';
import i18n, {
  formatDateTime,
  formatTimeOfDay,
  matchLanguage,
  mergeFeatureLocales,
  resources,
} from '../../../renderer/app/i18n.js';

type Tree = { [key: string]: string | Tree };

/** Every leaf as `a.b.c` → text. */
function flatten(tree: Tree, prefix = ''): Map<string, string> {
  const leaves = new Map<string, string>();
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    if (typeof value === 'string') leaves.set(path, value);
    else for (const [leaf, text] of flatten(value, path)) leaves.set(leaf, text);
  }
  return leaves;
}

// English has `_one`/`_other` plural forms, Chinese only `_other`: compare the keys without the suffix.
const pluralSuffix = /_(zero|one|two|few|many|other)$/;
const baseKeys = (leaves: Map<string, string>) =>
  new Set([...leaves.keys()].map((key) => key.replace(pluralSuffix, '')));
const variables = (text: string) => [...text.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((match) => match[1]).sort();

// The merged resources: app/locales plus every features/<area>/locales file.
const languages = {
  en: flatten(resources.en.translation as Tree),
  'zh-CN': flatten(resources['zh-CN'].translation as Tree),
};

describe('translations', () => {
  it("merges a feature's texts under its folder name and refuses a clash with app keys", () => {
    const files = {
      '../features/demo/locales/en.json': { title: 'Demo' },
      '../features/demo/locales/zh-CN.json': { title: '演示' },
    };
    expect(mergeFeatureLocales({ app: { name: 'x' } }, 'zh-CN', files)).toEqual({
      app: { name: 'x' },
      demo: { title: '演示' },
    });
    expect(() => mergeFeatureLocales({ demo: 'taken' }, 'en', files)).toThrow(/clashes/);
  });

  it('has every English key in Chinese and every Chinese key in English', () => {
    const english = baseKeys(languages.en);
    const chinese = baseKeys(languages['zh-CN']);
    expect([...english].filter((key) => !chinese.has(key))).toEqual([]);
    expect([...chinese].filter((key) => !english.has(key))).toEqual([]);
  });

  it('has no empty text', () => {
    for (const [language, leaves] of Object.entries(languages)) {
      const empty = [...leaves].filter(([, text]) => text.trim() === '').map(([key]) => `${language}:${key}`);
      expect(empty).toEqual([]);
    }
  });

  it('uses the same interpolation variables in both languages', () => {
    for (const [key, text] of languages['zh-CN']) {
      const base = key.replace(pluralSuffix, '');
      const englishText = languages.en.get(key) ?? languages.en.get(`${base}_other`) ?? languages.en.get(base);
      expect(englishText, key).toBeDefined();
      expect(variables(text), key).toEqual(variables(englishText ?? ''));
    }
  });

  it('gives plural keys the `_other` form every language needs', () => {
    for (const leaves of Object.values(languages)) {
      for (const key of leaves.keys()) {
        if (pluralSuffix.test(key)) expect(leaves.has(key.replace(pluralSuffix, '_other')), key).toBe(true);
      }
    }
  });
});

describe('matchLanguage', () => {
  it('follows the first OS/browser language it supports', () => {
    expect(matchLanguage(['zh-CN'])).toBe('zh-CN');
    expect(matchLanguage(['zh-Hans-CN', 'en-US'])).toBe('zh-CN');
    expect(matchLanguage(['zh-TW'])).toBe('zh-CN');
    expect(matchLanguage(['en-GB', 'zh-CN'])).toBe('en');
    expect(matchLanguage(['de-DE', 'zh-CN'])).toBe('zh-CN');
    expect(matchLanguage(['fr-FR'])).toBe('en');
    expect(matchLanguage([])).toBe('en');
  });
});

describe('dates and times', () => {
  it('are written as the chosen UI language writes them, whatever the OS locale', async () => {
    const moment = new Date(2026, 6, 12, 9, 28, 51);
    try {
      await i18n.changeLanguage('zh-CN');
      expect(formatDateTime(moment)).toBe('2026/7/12 09:28:51');
      expect(formatTimeOfDay(moment.toISOString())).toBe('09:28:51');
      await i18n.changeLanguage('en');
      expect(formatDateTime(moment.getTime())).toMatch(/^7\/12\/2026, 9:28:51\sAM$/);
    } finally {
      await i18n.changeLanguage('en');
    }
  });
});
