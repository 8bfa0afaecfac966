import { UAParser } from 'ua-parser-js';

/**
 * "Firefox 128 on Ubuntu", "Safari on iOS 17", or a plain fallback, from a User-Agent header.
 * ua-parser-js 1.x: MIT-licensed and maintained (2.x is AGPL).
 */
export function describeDevice(userAgent: string): string {
  if (!userAgent) return 'Unknown device';
  const { browser, os } = new UAParser(userAgent).getResult();
  const name = browser.name ? [browser.name, browser.major].filter(Boolean).join(' ') : undefined;
  const system = os.name ? [os.name, os.version?.split('.')[0]].filter(Boolean).join(' ') : undefined;
  if (name && system) return `${name} on ${system}`;
  return name ?? system ?? userAgent.slice(0, 60);
}
