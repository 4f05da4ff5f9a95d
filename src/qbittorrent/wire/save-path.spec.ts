import { describe, expect, it } from '@jest/globals';
import { isAbsolutePath, joinPath, withoutTrailingSeparator } from './save-path.js';

describe(joinPath.name, () => {
  it.each([
    ['/downloads', 'a.mkv', '/downloads/a.mkv'],
    ['/downloads/', 'Show/a.mkv', '/downloads/Show/a.mkv'],
    ['C:\\Downloads\\', 'Show/a.mkv', 'C:\\Downloads\\Show\\a.mkv'],
  ])('%s + %s = %s', (base, name, path) => {
    expect(joinPath(base, name)).toBe(path);
  });
});

describe(isAbsolutePath.name, () => {
  it.each([
    ['/downloads/a.mkv', true],
    ['C:\\dl\\a.mkv', true],
    ['renamed.mkv', false],
    ['Show/a.mkv', false],
  ])('%s: %s', (path, absolute) => {
    expect(isAbsolutePath(path)).toBe(absolute);
  });
});

describe(withoutTrailingSeparator.name, () => {
  it.each([
    ['/downloads/', '/downloads'],
    ['/downloads//', '/downloads'],
    ['/downloads', '/downloads'],
    ['/', '/'],
    ['C:\\Downloads\\', 'C:\\Downloads'],
    ['C:\\', 'C:\\'],
  ])('%s: %s', (path, folder) => {
    expect(withoutTrailingSeparator(path)).toBe(folder);
  });
});
