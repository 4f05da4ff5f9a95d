import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { FakeQbittorrent } from './fakes/fake-qbittorrent.js';
import { startApp, type TestApp } from './support/app.js';
import { NotesModule } from './support/notes.module.js';

const TOKEN = 'a-token-of-at-least-16-characters';

/**
 * A module added by the team (test/support/notes.module.ts: a controller and a DTO, nothing else)
 * gets the service's guarantees without writing any of them: the token guard, validation, the
 * `{"error"}` shape for every failure, one log line per refusal, request ids in its logs, HTTP
 * metrics by route pattern and its entry in the OpenAPI document.
 */
describe('a module added by the team', () => {
  let qbittorrent: FakeQbittorrent;
  let sut: TestApp;
  const http = () => request(sut.app.getHttpServer());
  const logLines = (pattern: RegExp) => sut.logs.lines.filter((line) => pattern.test(line));

  beforeAll(async () => {
    qbittorrent = await FakeQbittorrent.start();
    sut = await startApp({ QBITTORRENT_URL: qbittorrent.url, API_TOKEN: TOKEN }, undefined, [
      NotesModule,
    ]);
  });

  beforeEach(() => {
    sut.logs.lines.length = 0;
  });

  afterAll(async () => {
    await sut.close();
    await qbittorrent.stop();
  });

  it('serves its route behind the token, with the request id on its log lines', async () => {
    const response = await http()
      .post('/notes')
      .set('authorization', `Bearer ${TOKEN}`)
      .set('x-request-id', 'note-request-1')
      .send({ text: 'episode 12 is out' });
    expect(response.status).toBe(201);
    expect(response.body).toEqual({ id: 1, text: 'episode 12 is out' });
    expect(response.headers['x-request-id']).toBe('note-request-1');
    expect(logLines(/\[NotesController\].*note of 17 characters/)).toEqual([
      expect.stringContaining('[req note-request-1]'),
    ]);
  });

  it.each([
    [
      'no token',
      () => http().post('/notes').send({ text: 'x' }),
      401,
      'missing bearer token (Authorization: Bearer <API_TOKEN>)',
    ],
    [
      'another token',
      () => http().post('/notes').set('authorization', 'Bearer not-the-token-at-all').send({}),
      401,
      'invalid bearer token',
    ],
    [
      'a DTO rule broken',
      () => http().post('/notes').set('authorization', `Bearer ${TOKEN}`).send({ text: 'a\nb' }),
      400,
      'text must be 1 to 200 characters without control characters',
    ],
    [
      'a field missing',
      () => http().post('/notes').set('authorization', `Bearer ${TOKEN}`).send({}),
      400,
      'text is required',
    ],
    [
      'malformed JSON',
      () =>
        http()
          .post('/notes')
          .set('authorization', `Bearer ${TOKEN}`)
          .set('content-type', 'application/json')
          .send('{"text": '),
      400,
      'request body is not valid JSON',
    ],
    [
      "a pipe's refusal",
      () => http().get('/notes/seven').set('authorization', `Bearer ${TOKEN}`),
      400,
      'Validation failed (numeric string is expected)',
    ],
  ])(
    'refuses %s in the {"error"} shape, logged in one line',
    async (_case, send, status, error) => {
      const response = await send();
      expect(response.status).toBe(status);
      expect(response.body).toEqual({ error });
      expect(logLines(/\[HTTP\]/)).toEqual([
        expect.stringMatching(new RegExp(`^warn \\[HTTP\\] .*/notes.* answered ${status}: `)),
      ]);
      expect(sut.logs.text()).not.toMatch(/^\s+at /m); // no stack trace
    },
  );

  it('answers a bug as 500 "internal error", its stack in the log only', async () => {
    const response = await http().get('/notes/13').set('authorization', `Bearer ${TOKEN}`);
    expect(response.status).toBe(500);
    expect(response.body).toEqual({ error: 'internal error' });
    expect(sut.logs.text()).toContain('a bug in the notes module');
    expect(sut.logs.text()).toMatch(/at NotesController\.read/);
  });

  it('answers an unknown route, with or without a token, 404 in the {"error"} shape', async () => {
    for (const authorization of [`Bearer ${TOKEN}`, 'Bearer not-the-token-at-all', '']) {
      const response = await http().get('/notes/1/comments').set('authorization', authorization);
      expect(response.status).toBe(404);
      expect(response.body).toEqual({ error: 'Cannot GET /notes/1/comments' });
    }
  });

  it('is counted and timed by route pattern, never by its URL', async () => {
    const authorized = { authorization: `Bearer ${TOKEN}` };
    await http().get('/notes/7').set(authorized);
    await http().get('/notes/8').set(authorized);
    await http().post('/notes').send({ text: 'x' });
    const metrics = await http().get('/metrics').set(authorized);
    expect(metrics.text).toContain(
      'http_request_duration_seconds_count{method="GET",route="/notes/:id",status_code="200"} 2',
    );
    expect(metrics.text).toContain(
      'http_request_duration_seconds_count{method="POST",route="/notes",status_code="401"}',
    );
    expect(metrics.text).toMatch(/route="unmatched",status_code="404"/);
    expect(metrics.text).not.toMatch(/route="\/notes\/7"/);
  });

  it('is in the OpenAPI document, behind the bearer scheme, with its 400 and 401', async () => {
    const document = (await http().get('/openapi.json')).body;
    const create = document.paths['/notes'].post;
    expect(create.security).toEqual([{ 'api-token': [] }]);
    expect(Object.keys(create.responses).sort()).toEqual(['201', '400', '401']);
    expect(create.responses['401'].content['application/json'].example).toEqual({
      error: 'invalid bearer token',
    });
    expect(document.paths['/notes/{id}'].get.security).toEqual([{ 'api-token': [] }]);
    expect(document.paths['/health'].get.security).toBeUndefined();
    expect(JSON.stringify(document)).not.toContain('x-public');
  });
});
