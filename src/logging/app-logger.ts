import { ConsoleLogger, type LogLevel } from '@nestjs/common';
import { currentRequestId } from './request-context.js';

export type LogFormat = 'text' | 'json';

type JsonLogOptions = Parameters<ConsoleLogger['printAsJson']>[1];

/**
 * Nest's console logger with the request id on every line. In `json` format, one object per line:
 * `{"level","time","context","message","requestId",...}`; in `text`, Nest's format with `[req <id>]`.
 */
export class AppLogger extends ConsoleLogger {
  constructor(logLevels: LogLevel[], format: LogFormat) {
    super(
      format === 'json'
        ? { logLevels, json: true, colors: false }
        : // Colour codes only for a person at a terminal: in a file or a pipe they are noise.
          { logLevels, colors: process.stdout.isTTY === true && !process.env.NO_COLOR },
    );
  }

  protected override printAsJson(message: unknown, options: JsonLogOptions): void {
    const { timestamp, level, ...rest } = this.getJsonLogObject(message, options);
    const requestId = currentRequestId();
    const entry = {
      level: level === 'log' ? 'info' : level,
      time: new Date(timestamp).toISOString(),
      ...rest,
      ...(requestId !== undefined && { requestId }),
    };
    process[options.writeStreamType ?? 'stdout'].write(`${toJsonLine(entry)}\n`);
  }

  protected override formatContext(context: string): string {
    const requestId = currentRequestId();
    return super.formatContext(context) + (requestId === undefined ? '' : `[req ${requestId}] `);
  }
}

function toJsonLine(entry: Record<string, unknown>): string {
  try {
    return JSON.stringify(entry, (_key, value: unknown) =>
      typeof value === 'bigint' ? value.toString() : value,
    );
  } catch {
    // A circular message: keep the line, lose the detail.
    return JSON.stringify({ ...entry, message: String(entry.message) });
  }
}
