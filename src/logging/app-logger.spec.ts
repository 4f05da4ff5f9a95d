import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { AppLogger } from './app-logger.js';

const ANSI = new RegExp(String.fromCharCode(27) + '\\[');

describe(AppLogger.name, () => {
  const wasTty = process.stdout.isTTY;
  const noColor = process.env.NO_COLOR;

  afterEach(() => {
    jest.restoreAllMocks();
    process.stdout.isTTY = wasTty;
    if (noColor === undefined) delete process.env.NO_COLOR;
    else process.env.NO_COLOR = noColor;
  });

  /** What one `log` line looks like with stdout a terminal or not. */
  function lineWritten(tty: boolean): string {
    process.stdout.isTTY = tty;
    const written: string[] = [];
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
      written.push(String(chunk));
      return true;
    });
    const sut = new AppLogger(['log'], 'text');
    sut.log('hello', 'Test');
    jest.restoreAllMocks();
    return written.join('');
  }

  it('writes no colour codes to a file or a pipe', () => {
    delete process.env.NO_COLOR;
    const line = lineWritten(false);
    expect(line).toContain('hello');
    expect(line).not.toMatch(ANSI);
  });

  it('colours lines for a terminal, unless NO_COLOR is set', () => {
    delete process.env.NO_COLOR;
    expect(lineWritten(true)).toMatch(ANSI);
    process.env.NO_COLOR = '1';
    expect(lineWritten(true)).not.toMatch(ANSI);
  });
});
