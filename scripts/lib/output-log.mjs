// A child process's stdout and stderr appended to one log file, for the harness's qBittorrents.
import { createWriteStream } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Appends what `child` writes on stdout and stderr to `logFile`.
 *
 * Neither stream may end the log: the first to end would end it while the other still delivers
 * its last lines, and that write after the end is an uncaught error (it failed a whole test
 * suite). The log ends once the process has closed both ('close'), or when `close` gives up
 * waiting for that.
 * @param {import('node:child_process').ChildProcess} child
 * @param {string} logFile
 * @returns {{ close: (timeoutMs: number) => Promise<void> }} `close` waits, at most `timeoutMs`
 *   (a descendant may hold the pipes past the exit), for both streams to drain, then ends the log
 *   and waits until it is written, so that a reader after it sees every line
 */
export function logOutput(child, logFile) {
  const log = createWriteStream(logFile, { flags: 'a' });
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  /** @type {Promise<void>} */
  const written = new Promise((resolve) => log.once('close', resolve));
  const end = () => {
    if (log.writableEnded) return;
    child.stdout?.unpipe(log);
    child.stderr?.unpipe(log);
    log.end();
  };
  /** @type {Promise<void>} */
  const drained = new Promise((resolve) => child.once('close', resolve)).then(end);
  return {
    close: async (timeoutMs) => {
      await Promise.race([drained, sleep(timeoutMs, undefined, { ref: false })]);
      end();
      await written;
    },
  };
}
