import { ValidateBy, type ValidationOptions } from 'class-validator';
import { CONTROL_CHARACTER } from './text.js';

/** One rule with one message, so that the message never depends on the order rules run in. */
function rule(
  name: string,
  test: (value: unknown) => boolean,
  message: (property: string) => string,
  options?: ValidationOptions,
): PropertyDecorator {
  return ValidateBy(
    {
      name,
      validator: {
        validate: test,
        defaultMessage: (args) => message(args?.property ?? 'value'),
      },
    },
    options,
  );
}

const isText = (value: unknown, max: number): value is string =>
  typeof value === 'string' &&
  value.length > 0 &&
  value.length <= max &&
  !CONTROL_CHARACTER.test(value);

/** A JSON number that is a whole number from 1 to 2^53-1: an id that survives a round trip through JSON. */
export function IsPositiveSafeInteger(options?: ValidationOptions): PropertyDecorator {
  return rule(
    'isPositiveSafeInteger',
    (value) => Number.isSafeInteger(value) && (value as number) > 0,
    (property) => `${property} must be a positive integer (at most ${Number.MAX_SAFE_INTEGER})`,
    options,
  );
}

/** A folder path for qBittorrent to save into. */
export function IsSavePath(options?: ValidationOptions): PropertyDecorator {
  return rule(
    'isSavePath',
    (value) => isText(value, 4096),
    (property) =>
      `${property} must be a non-empty path of at most 4096 characters, without control characters`,
    options,
  );
}

/**
 * A category name qBittorrent accepts. It silently drops any other (the torrent is added without
 * one), so we refuse it: no backslash, no leading or trailing slash, no empty level (`//`).
 */
export function IsCategoryName(options?: ValidationOptions): PropertyDecorator {
  return rule(
    'isCategoryName',
    (value) => isText(value, 255) && !/\\|^\/|\/$|\/\//.test(value),
    (property) =>
      `${property} must be 1 to 255 characters without control characters, backslashes, empty levels (//) or a leading or trailing /`,
    options,
  );
}

/** Tags: qBittorrent separates them with commas and (4.x) keeps surrounding spaces. */
export function IsTagList(options?: ValidationOptions): PropertyDecorator {
  return rule(
    'isTagList',
    (value) =>
      Array.isArray(value) &&
      value.length <= 32 &&
      value.every((tag) => isText(tag, 128) && tag.trim() === tag && !tag.includes(',')),
    (property) =>
      `${property} must be a list of at most 32 tags, each 1 to 128 characters without commas, control characters or surrounding spaces`,
    options,
  );
}

/** A string of 1 to `max` characters without control characters, safe in a form field. */
export function IsPlainText(max: number, options?: ValidationOptions): PropertyDecorator {
  return rule(
    'isPlainText',
    (value) => isText(value, max),
    (property) => `${property} must be 1 to ${max} characters without control characters`,
    options,
  );
}

/** A JSON array of `min` to `max` elements. */
export function IsListOf(
  min: number,
  max: number,
  what: string,
  options?: ValidationOptions,
): PropertyDecorator {
  return rule(
    'isListOf',
    (value) => Array.isArray(value) && value.length >= min && value.length <= max,
    (property) => `${property} must be a list of ${min} to ${max} ${what}`,
    options,
  );
}
