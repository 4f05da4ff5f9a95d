/**
 * C0, DEL and C1 controls and the Unicode line separators: any of them can split or corrupt a form
 * field sent to qBittorrent, whose `urls` is a newline-separated list.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
export const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** The entries of a comma-separated list (a query parameter, qBittorrent's tags), trimmed, blanks dropped, in order. */
export function splitList(text: string): string[] {
  return text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
}
