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

/**
 * A folder without the separator some versions end it with (4.2.5 lists `/downloads/`, later ones
 * `/downloads`), so that every version answers the same path. A root (`/`, `C:\\`) stays as it is.
 */
export function withoutTrailingSeparator(path: string): string {
  const trimmed = path.replace(/[\\/]+$/, '');
  return trimmed === '' || /^[A-Za-z]:$/.test(trimmed) ? path : trimmed;
}
