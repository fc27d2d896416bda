/**
 * Debian's chromium, driven by playwright-core (which drives an installed
 * browser and downloads none): the launch every browser test shares, or
 * the reason it cannot run here (the test then skips, saying why).
 */
import { existsSync } from 'node:fs';
import type * as Playwright from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
  '--autoplay-policy=no-user-gesture-required',
];

export async function loadPlaywright(): Promise<typeof Playwright | string> {
  if (!existsSync(CHROMIUM)) return `no ${CHROMIUM} (Debian package chromium)`;
  try {
    return await import('playwright-core');
  } catch (error) {
    return `playwright-core does not load: ${String(error)}`;
  }
}

/** Starts chromium with the shared flags (and any extra ones). */
export async function launchChromium(
  playwright: typeof Playwright,
  extraArgs: string[] = [],
): Promise<Playwright.Browser> {
  return await playwright.chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS, ...extraArgs] });
}
