// qBittorrent.conf as data: the WebUI password entry and the INI text. Plain JavaScript (typed with
// JSDoc) so that both the service's first-start writer (TypeScript, built to dist/) and the scripts
// that start real qBittorrents for tests, `npm run local` and the benchmark (run by Node as they
// are, without a build) import this one copy.
import { pbkdf2Sync, randomBytes } from 'node:crypto';

/** @typedef {Readonly<Record<string, Readonly<Record<string, string | number | boolean>>>>} IniSections */

/**
 * The `WebUI\Password_PBKDF2` value qBittorrent stores, which every version from 4.2 reads:
 * PBKDF2-HMAC-SHA512, 100,000 iterations, a 16-byte random salt and a 64-byte key, as
 * `@ByteArray(salt:key)` in base64, quoted.
 * @param {string} password
 * @param {Buffer} [salt]
 * @returns {string}
 */
export function webuiPasswordHash(password, salt = randomBytes(16)) {
  const key = pbkdf2Sync(password, salt, 100_000, 64, 'sha512');
  return `"@ByteArray(${salt.toString('base64')}:${key.toString('base64')})"`;
}

/**
 * The text of a qBittorrent.conf: `[Section]` then `key=value` lines, sections apart by a blank line.
 * @param {IniSections} sections
 * @returns {string}
 */
export function toIni(sections) {
  return Object.entries(sections)
    .map(
      ([section, values]) =>
        `[${section}]\n${Object.entries(values)
          .map(([key, value]) => `${key}=${String(value)}\n`)
          .join('')}`,
    )
    .join('\n');
}

/**
 * A qBittorrent.conf read back as sections of raw `key=value` strings (values as written, quotes
 * included).
 * @param {string} text
 * @returns {Record<string, Record<string, string>>}
 */
export function parseIni(text) {
  /** @type {Record<string, Record<string, string>>} */
  const sections = {};
  /** @type {Record<string, string>} */
  let section = {};
  for (const line of text.split('\n')) {
    const header = /^\[(.+)\]$/.exec(line);
    if (header) sections[header[1]] = section = {};
    else if (line.includes('='))
      section[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
  }
  return sections;
}

/**
 * `extra` merged over `base`, key by key within each section.
 * @param {IniSections} base
 * @param {IniSections} extra
 * @returns {IniSections}
 */
export function mergeIni(base, extra) {
  /** @type {Record<string, Readonly<Record<string, string | number | boolean>>>} */
  const merged = { ...base };
  for (const [section, values] of Object.entries(extra))
    merged[section] = { ...merged[section], ...values };
  return merged;
}
