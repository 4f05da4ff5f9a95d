import { describe, expect, it } from '@jest/globals';
import {
  addForm,
  dialectFor,
  readAddAnswer,
  readFileList,
  readLoginAnswer,
  readPreferences,
  readTorrentList,
  sessionCookie,
  switchPath,
} from './dialect.js';
import { readMaindata } from './maindata.js';
import {
  QbittorrentAuthError,
  QbittorrentHttpError,
  QbittorrentProtocolError,
  TorrentRejectedError,
} from './qbittorrent.errors.js';

describe(dialectFor.name, () => {
  it.each([
    ['2.8.19', false], // qBittorrent 4.5.2
    ['2.9.3', false], // 4.6
    ['2.10.4', false],
    ['2.11.0', true], // 5.0
    ['2.11.4', true], // 5.1.0
    ['2.16.2', true], // 5.3.0
    ['3.0', true],
    ['v2.11.2\n', true],
  ])('WebAPI %s uses stop/start: %s', (version, stopStart) => {
    expect(dialectFor(version).stopStart).toBe(stopStart);
  });

  it.each([
    ['2.5.1', { tagsOnAdd: false, tagFilter: false }], // qBittorrent 4.2.5 (Debian 11)
    ['2.6.1', { tagsOnAdd: false, tagFilter: false }],
    ['2.6.2', { tagsOnAdd: true, tagFilter: false }], // 4.3.2
    ['2.8.2', { tagsOnAdd: true, tagFilter: false }],
    ['2.8.3', { tagsOnAdd: true, tagFilter: true }], // 4.4.0
    ['2.8.19', { tagsOnAdd: true, tagFilter: true }], // 4.5.2
  ])('WebAPI %s: tags on add and the tag filter as its changelog says', (version, expected) => {
    expect(dialectFor(version)).toMatchObject(expected);
  });
});

const HASH = 'c12fe1c06bba254a9dc9f519b335aa7c1367a88a';
const answer = (status: number, body = '', setCookie: string[] = []) => ({
  status,
  body,
  setCookie,
});

describe('the version table, request side', () => {
  it.each([
    [false, 'stop', 'torrents/pause'],
    [false, 'start', 'torrents/resume'],
    [true, 'stop', 'torrents/stop'],
    [true, 'start', 'torrents/start'],
  ] as const)('stopStart %s: %s is %s', (stopStart, action, path) => {
    expect(switchPath(action, { ...dialectFor('2.8.19'), stopStart })).toBe(path);
  });

  it('files a torrent started, where it is asked to, whatever the defaults of 4.x and 5.x', () => {
    const modern = dialectFor('2.8.19');
    expect(addForm({}, modern)).toEqual({ paused: 'false', stopped: 'false' });
    const options = { savePath: '/dl', category: 'c', tags: ['a', 'b'], paused: true };
    expect(addForm(options, modern)).toEqual({
      paused: 'true',
      stopped: 'true',
      savepath: '/dl',
      autoTMM: 'false',
      category: 'c',
      tags: 'a,b',
    });
    // WebAPI 2.5.1 ignores them on an add: the client adds them apart.
    expect(addForm(options, dialectFor('2.5.1'))).not.toHaveProperty('tags');
  });
});

describe('the version table, answer side', () => {
  it.each([
    ['4.x and 5.1: Ok.', answer(200, 'Ok.'), { hash: HASH, added: true }],
    [
      '5.2+: a receipt',
      answer(200, JSON.stringify({ added_torrent_ids: [HASH], success_count: 1 })),
      { hash: HASH, added: true },
    ],
    [
      '5.2+: a receipt naming another id',
      answer(200, JSON.stringify({ added_torrent_ids: ['A'.repeat(40)] })),
      { hash: 'a'.repeat(40), added: true },
    ],
    ['5.2+: 202 for a pending URL', answer(202), { hash: HASH, added: true }],
    ['204', answer(204), { hash: HASH, added: true }],
  ])('reads an add answered as done: %s', (_case, response, expected) => {
    expect(readAddAnswer(response, HASH)).toEqual(expected);
  });

  it.each([
    ['4.x and 5.1: Fails.', answer(200, 'Fails.'), /answered Fails\./],
    ['5.2+: 409', answer(409, 'Conflict'), /409 Conflict/],
    [
      'a receipt with nothing added',
      answer(200, JSON.stringify({ success_count: 0 })),
      /nothing added/,
    ],
    ['a proxy page with 200', answer(200, '<html>'), /expected JSON/],
  ])(
    'reads an add not answered as done, to be decided by the list: %s',
    (_case, response, refusal) => {
      const read = readAddAnswer(response, HASH);
      expect(read).toMatchObject({ hash: HASH, added: false });
      expect(read.added === false && read.refusal.message).toMatch(refusal);
    },
  );

  it('fails an add of an invalid .torrent (415) and an unexpected status at once', () => {
    expect(() => readAddAnswer(answer(415), HASH)).toThrow(TorrentRejectedError);
    expect(() => readAddAnswer(answer(500, 'oops'), HASH)).toThrow(QbittorrentHttpError);
  });

  it.each([
    ['4.x and 5.1: Ok.', answer(200, 'Ok.')],
    ['5.2+: 204', answer(204)],
  ])('reads a login accepted: %s', (_case, response) => {
    expect(() => readLoginAnswer(response, 'admin')).not.toThrow();
  });

  it.each([
    ['4.x and 5.1: Fails.', answer(200, 'Fails.'), 'credentials'],
    ['5.2+: 401', answer(401), 'credentials'],
    ['a ban: 403', answer(403, 'Your IP address has been banned'), 'banned'],
  ])('reads a login refused: %s', (_case, response, reason) => {
    expect(() => readLoginAnswer(response, 'admin')).toThrow(expect.objectContaining({ reason }));
    expect(() => readLoginAnswer(response, 'admin')).toThrow(QbittorrentAuthError);
  });

  it('sends back every cookie qBittorrent set, under its name (SID or QBT_SID_<port>)', () => {
    expect(sessionCookie(['SID=abc+/=; HttpOnly; path=/'])).toBe('SID=abc+/=');
    expect(sessionCookie(['QBT_SID_8080=xyz; HttpOnly'])).toBe('QBT_SID_8080=xyz');
    expect(sessionCookie([])).toBeUndefined();
  });

  it('answers an absolute content_path, also where 4.5.2 gives it relative after a rename', () => {
    const listed = (content_path: string, save_path = '/downloads') =>
      readTorrentList(
        answer(
          200,
          JSON.stringify([
            {
              hash: HASH,
              state: 'stalledUP',
              name: 'x',
              tags: '',
              progress: 1,
              save_path,
              content_path,
            },
          ]),
        ),
      )[0].content_path;
    expect(listed('/downloads/Show - 01.mkv')).toBe('/downloads/Show - 01.mkv');
    expect(listed('renamed.mkv')).toBe('/downloads/renamed.mkv');
    expect(listed('C:\\dl\\a.mkv', 'C:\\dl')).toBe('C:\\dl\\a.mkv');
  });

  it('answers the save path without the trailing slash 4.2.5 lists it with', () => {
    const torrent = { hash: HASH, state: 'metaDL', name: 'x', tags: '', progress: 0 };
    const [listed] = readTorrentList(
      answer(200, JSON.stringify([{ ...torrent, save_path: '/downloads/' }])),
    );
    expect(listed.save_path).toBe('/downloads');
  });

  it('reads torrent and file lists, refusing what is not one', () => {
    const torrent = { hash: HASH, state: 'stalledDL', name: 'x', tags: '', progress: 0 };
    expect(readTorrentList(answer(200, JSON.stringify([torrent])))).toEqual([torrent]);
    expect(() => readTorrentList(answer(200, '{"hash":1}'))).toThrow(QbittorrentProtocolError);
    expect(readFileList(answer(404))).toBeNull();
    expect(readFileList(answer(200, '[{"name":"a","size":1,"progress":0}]'))).toHaveLength(1);
    expect(() => readPreferences(answer(200, '[]'))).toThrow(QbittorrentProtocolError);
  });

  it('reads sync/maindata: a full update, a delta of 4.x, a delta of 5.1+ without empty collections', () => {
    expect(
      readMaindata(
        answer(
          200,
          JSON.stringify({
            rid: 1,
            full_update: true,
            torrents: { [HASH]: { amount_left: 10, progress: 0.5, name: 'x' } },
            server_state: {
              free_space_on_disk: 1000,
              queueing: true,
              dht_nodes: 312,
              connection_status: 'firewalled',
            },
            categories: {},
          }),
        ),
      ),
    ).toEqual({
      rid: 1,
      fullUpdate: true,
      torrents: { [HASH]: { amount_left: 10, progress: 0.5, name: 'x' } },
      removed: [],
      server: { freeSpaceOnDisk: 1000, dhtNodes: 312, connectionStatus: 'firewalled' },
    });
    const delta4 = { rid: 2, torrents: {}, torrents_removed: [HASH], server_state: {} };
    expect(readMaindata(answer(200, JSON.stringify(delta4)))).toEqual({
      rid: 2,
      fullUpdate: false,
      torrents: {},
      removed: [HASH],
      server: {},
    });
    expect(readMaindata(answer(200, '{"rid":3}'))).toEqual({
      rid: 3,
      fullUpdate: false,
      torrents: {},
      removed: [],
      server: {},
    });
    expect(() => readMaindata(answer(200, '{"torrents":{}}'))).toThrow(QbittorrentProtocolError);
    expect(() => readMaindata(answer(200, '[]'))).toThrow(QbittorrentProtocolError);
  });
});
