// i18next for the renderer: English and Simplified Chinese, first chosen from the OS/browser language, then remembered.
import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import en from './locales/en.json';
import zhCN from './locales/zh-CN.json';

export const supportedLanguages = ['en', 'zh-CN'] as const;
export type SupportedLanguage = (typeof supportedLanguages)[number];

export const LANGUAGE_STORAGE_KEY = 'iotwb.language';

/** Names shown in the language switch, each in its own language. */
export const languageNames: Record<SupportedLanguage, string> = { en: 'English', 'zh-CN': '中文' };

type Messages = Record<string, unknown>;

/**
 * Each feature keeps its own texts in `features/<area>/locales/{en,zh-CN}.json`; they are merged under the
 * key `<area>` (e.g. `products.importTitle`), so features are translated without touching one shared file.
 */
const featureLocaleFiles = import.meta.glob<Messages>('../features/*/locales/*.json', {
  eager: true,
  import: 'default',
});

export function mergeFeatureLocales(base: Messages, language: string, files: Record<string, Messages>): Messages {
  const merged: Messages = { ...base };
  for (const [file, messages] of Object.entries(files)) {
    const match = /features\/([^/]+)\/locales\/([^/]+)\.json$/.exec(file);
    if (!match || match[2] !== language) continue;
    const area = match[1]!;
    if (area in base) throw new Error(`feature locale "${area}" clashes with a key of app/locales`);
    merged[area] = messages;
  }
  return merged;
}

export const resources = {
  en: { translation: mergeFeatureLocales(en, 'en', featureLocaleFiles) },
  'zh-CN': { translation: mergeFeatureLocales(zhCN, 'zh-CN', featureLocaleFiles) },
} as const;

export function isSupportedLanguage(value: unknown): value is SupportedLanguage {
  return typeof value === 'string' && (supportedLanguages as readonly string[]).includes(value);
}

/** Maps OS/browser language tags (`zh`, `zh-Hans-CN`, `en-GB`, …) to a supported language. */
export function matchLanguage(tags: readonly string[]): SupportedLanguage {
  for (const tag of tags) {
    const lower = tag.toLowerCase();
    if (lower.startsWith('zh')) return 'zh-CN';
    if (lower.startsWith('en')) return 'en';
  }
  return 'en';
}

function readStoredLanguage(): SupportedLanguage | undefined {
  try {
    const stored = globalThis.localStorage?.getItem(LANGUAGE_STORAGE_KEY);
    return isSupportedLanguage(stored) ? stored : undefined;
  } catch {
    return undefined;
  }
}

export function initialLanguage(): SupportedLanguage {
  const stored = readStoredLanguage();
  if (stored) return stored;
  const nav = globalThis.navigator;
  return matchLanguage(nav ? (nav.languages.length > 0 ? nav.languages : [nav.language]) : []);
}

function applyDocumentLanguage(language: string): void {
  if (typeof document === 'undefined') return;
  document.documentElement.lang = language;
  document.title = i18n.t('app.name');
}

/** Switches the UI language and remembers the choice for the next start. */
export async function changeLanguage(language: SupportedLanguage): Promise<void> {
  try {
    globalThis.localStorage?.setItem(LANGUAGE_STORAGE_KEY, language);
  } catch {
    // Storage can be disabled; the switch still works for this session.
  }
  await i18n.changeLanguage(language);
}

/**
 * A moment (ISO text, epoch ms or Date) as the chosen UI language writes a date and time: a Chinese UI on an
 * English OS shows 2026/7/12 09:28:51, not 7/12/2026, 9:28:51 AM.
 */
export function formatDateTime(moment: string | number | Date): string {
  return new Date(moment).toLocaleString(i18n.language);
}

/** The time of day of a moment, as the chosen UI language writes it. */
export function formatTimeOfDay(moment: string | number | Date): string {
  return new Date(moment).toLocaleTimeString(i18n.language);
}

i18n.on('languageChanged', applyDocumentLanguage);

void i18n.use(initReactI18next).init({
  resources,
  lng: initialLanguage(),
  fallbackLng: 'en',
  supportedLngs: [...supportedLanguages],
  interpolation: { escapeValue: false },
  returnNull: false,
  initAsync: false,
});
applyDocumentLanguage(i18n.language);

export default i18n;
