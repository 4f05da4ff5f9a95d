/**
 * A path under a save path, absolute: qBittorrent names files relative to the save path (with the
 * torrent's root folder, if any). Windows builds use backslashes.
 */
export function joinPath(savePath: string, name: string): string {
  const separator = savePath.includes('\\') && !savePath.includes('/') ? '\\' : '/';
  const base = savePath.replace(/[\\/]+$/, '');
  return `${base}${separator}${name.replace(/[\\/]/g, separator)}`;
}

/** Whether a path is absolute, on qBittorrent's Unix and Windows builds alike. */
export function isAbsolutePath(path: string): boolean {
  return /^([\\/]|[A-Za-z]:)/.test(path);
}
