import { ValidateBy, type ValidationOptions } from 'class-validator';

/** A JSON number that is a whole number from 1 to 2^53-1: an id that survives a round trip through JSON. */
export function IsPositiveSafeInteger(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isPositiveSafeInteger',
      validator: {
        validate: (value: unknown) => Number.isSafeInteger(value) && (value as number) > 0,
        defaultMessage: (args) =>
          `${args?.property ?? 'value'} must be a positive integer (at most ${Number.MAX_SAFE_INTEGER})`,
      },
    },
    options,
  );
}
