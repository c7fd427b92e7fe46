// The headless Chromium every e2e test drives: Debian's /usr/bin/chromium (never a downloaded one), one context
// with the user's locale, viewport and colour scheme, and screenshots in test-results/e2e/<prefix>-<step>.png.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const screenshotDir = join(process.cwd(), 'test-results', 'e2e');

const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export interface ContextOptions {
  locale?: string;
  viewport?: { width: number; height: number };
  colorScheme?: 'light' | 'dark';
}

export interface BrowserOptions extends ContextOptions {
  /** Screenshots are named `<screenshotPrefix>-<step>.png`. */
  screenshotPrefix: string;
}

export interface BrowserSession {
  browser: Browser;
  /** The first context, with the options `openBrowser` was given. */
  context: BrowserContext;
  /** The first page of that context. */
  page: Page;
  /** Another context with the same options but the ones given (say a zh-CN one); `close` closes it too. */
  newContext(overrides?: ContextOptions): Promise<BrowserContext>;
  /** Saves test-results/e2e/<prefix>-<step>.png of `of` (the first page unless given). */
  screenshot(step: string, fullPage?: boolean, of?: Page): Promise<void>;
  close(): Promise<void>;
}

export async function openBrowser(options: BrowserOptions): Promise<BrowserSession> {
  const { screenshotPrefix, ...contextDefaults } = options;
  mkdirSync(screenshotDir, { recursive: true });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: chromiumArgs });
  const contexts: BrowserContext[] = [];
  const newContext = async (overrides: ContextOptions = {}): Promise<BrowserContext> => {
    const context = await browser.newContext({
      locale: 'en-US',
      viewport: { width: 1280, height: 900 },
      colorScheme: 'light',
      reducedMotion: 'reduce',
      ...contextDefaults,
      ...overrides,
    });
    contexts.push(context);
    return context;
  };
  try {
    const context = await newContext();
    const page = await context.newPage();
    return {
      browser,
      context,
      page,
      newContext,
      async screenshot(step, fullPage = true, of = page) {
        // A full-page capture of a scrolled page draws the fixed header and sidebar at the scroll offset, over
        // the content; from the top they stand where the user sees them.
        if (fullPage) await of.evaluate('window.scrollTo(0, 0)');
        await of.screenshot({ path: join(screenshotDir, `${screenshotPrefix}-${step}.png`), fullPage });
      },
      async close() {
        for (const context of contexts) await context.close();
        await browser.close();
      },
    };
  } catch (error) {
    await browser.close();
    throw error;
  }
}
