import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { EnvironmentVariables } from '../../src/config/environment.js';

/** The README's configuration table and .env.example keep up with the variables the service reads. */
describe('documentation', () => {
  const variables = Object.keys(new EnvironmentVariables()).filter(
    (name) => name !== 'SERVICE_PORT', // an alias, documented beside PORT
  );
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const example = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8');

  it.each(variables)('the README configuration table lists %s', (name) => {
    expect(readme).toMatch(new RegExp(`^\\| \`${name}\` +\\|`, 'm'));
  });

  it.each(variables.filter((name) => name !== 'SERVICE_HOST'))('.env.example sets %s', (name) => {
    expect(example).toMatch(new RegExp(`^${name}=`, 'm'));
  });

  it('names SERVICE_PORT and SERVICE_HOST where they are read', () => {
    expect(readme).toContain('`SERVICE_PORT`');
    expect(example).toMatch(/^# SERVICE_HOST=/m);
  });
});
