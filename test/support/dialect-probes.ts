/**
 * A fixed sequence of raw WebUI calls whose answers tell the qBittorrent dialects apart. Run against a
 * real qBittorrent and against FakeQbittorrent, the two sequences of observations must be equal:
 * that is what keeps the fake faithful.
 */
export interface Observation {
  step: string;
  status: number;
  /** Parsed JSON for JSON answers (torrent lists reduced to their sorted hashes), trimmed text otherwise. */
  body: unknown;
  /** The session cookie's name, with the WebUI port written as <port>. */
  cookieName?: string;
}

const HEX = 'c12fe1c06bba254a9dc9f519b335aa7c1367a88a';
const SHA256 = '0d5f6a3e1b7c9d2e4f8a0b1c3d5e7f9a2b4c6d8e0f1a3b5c7d9e1f2a4b6c8d0e';
const UNKNOWN = 'ffffffffffffffffffffffffffffffffffffffff';
const h = (digit: string) => digit.repeat(40);

export async function probeDialect(
  url: string,
  username: string,
  password: string,
): Promise<Observation[]> {
  const port = new URL(url).port;
  const observations: Observation[] = [];
  let cookie = '';

  const call = async (
    step: string,
    method: 'GET' | 'POST',
    path: string,
    form?: Record<string, string>,
    cookieHeader = cookie,
  ) => {
    const response = await fetch(`${url}/api/v2/${path}`, {
      method,
      headers: {
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        ...(cookieHeader ? { cookie: cookieHeader } : {}),
      },
      body: form ? new URLSearchParams(form).toString() : undefined,
    });
    const text = await response.text();
    const isJson = (response.headers.get('content-type') ?? '').startsWith('application/json');
    let body: unknown = isJson ? JSON.parse(text) : text.trim();
    if (Array.isArray(body) && path.startsWith('torrents/info')) {
      body = (body as { hash: string }[]).map((torrent) => torrent.hash).sort();
    }
    const setCookie = response.headers.get('set-cookie');
    const observation: Observation = { step, status: response.status, body };
    if (setCookie) observation.cookieName = setCookie.split('=', 1)[0].replace(port, '<port>');
    observations.push(observation);
    return { response, setCookie };
  };
  const add = (step: string, urls: string) => call(step, 'POST', 'torrents/add', { urls });
  const get = async (path: string) =>
    fetch(`${url}/api/v2/${path}`, { headers: { cookie } }).then(async (response) => ({
      status: response.status,
      json: (await response.json()) as Record<string, unknown>,
    }));
  /** The fields that differ between WebAPIs: its tags, and whether content_path is there. */
  const fields = async (step: string, hash: string) => {
    const { status, json } = await get(`torrents/info?hashes=${hash}`);
    const [torrent] = json as unknown as Record<string, unknown>[];
    const body = {
      tags: torrent?.tags,
      contentPath: torrent !== undefined && 'content_path' in torrent,
    };
    observations.push({ step, status, body });
  };
  /** Only the libtorrent major version: builds differ in the rest. */
  const build = async () => {
    const { status, json } = await get('app/buildInfo');
    const body = { libtorrentMajor: String(json.libtorrent).split('.')[0] };
    observations.push({ step: 'buildInfo', status, body });
  };
  /**
   * That free space is reported, as a number: its value is the machine's, and -1 where qBittorrent
   * cannot tell which file system holds the save path (in a chroot without a mount of its root).
   */
  const freeSpace = async () => {
    const { status, json } = await get('sync/maindata?rid=0');
    const free = (json.server_state as Record<string, unknown>).free_space_on_disk;
    observations.push({ step: 'free space', status, body: typeof free });
  };

  await call('no session', 'GET', 'app/version');
  await call('login, wrong password', 'POST', 'auth/login', {
    username,
    password: `${password}-wrong`,
  });
  const { setCookie } = await call('login', 'POST', 'auth/login', { username, password });
  cookie = (setCookie ?? '').split(';', 1)[0];
  await call(
    'session value under the name SID',
    'GET',
    'app/version',
    undefined,
    `SID=${cookie.slice(cookie.indexOf('=') + 1)}`,
  );
  await call('webapiVersion', 'GET', 'app/webapiVersion');

  await add('add, new', `magnet:?xt=urn:btih:${HEX}`);
  // A duplicate of one still being added is refused ("Fails.") by 4.2.5, which merges trackers
  // into one it holds ("Ok."): the answer to one sent at once depended on qBittorrent's pace (seen
  // both ways on 4.2.5 in CI). The duplicate probed is of a torrent it holds.
  await waitUntilListed(url, cookie, HEX);
  await add('add, duplicate', `magnet:?xt=urn:btih:${HEX}`);
  await add('add, 32 hex characters', 'magnet:?xt=urn:btih:1234567890abcdef1234567890abcdef');
  await add('add, upper-case scheme', `MAGNET:?xt=urn:btih:${h('1')}`);
  await add('add, upper-case urn', `magnet:?xt=URN:BTIH:${h('2')}`);
  await add('add, upper-case key', `magnet:?XT=urn:btih:${h('3')}`);
  await add('add, two lines', `magnet:?xt=urn:btih:${h('4')}\nmagnet:?xt=urn:btih:${h('5')}`);
  await add(
    'add, one new and one duplicate',
    `magnet:?xt=urn:btih:${h('6')}\nmagnet:?xt=urn:btih:${HEX}`,
  );
  await add('add, hybrid', `magnet:?xt=urn:btih:${h('7')}&xt=urn:btmh:1220${SHA256}`);
  await add('add, two different btih', `magnet:?xt=urn:btih:${h('8')}&xt=urn:btih:${h('9')}`);
  // qBittorrent adds in the background: a torrent can be missing from the list for a moment after
  // its add was answered. Wait for the last one before recording the list.
  await waitUntilListed(url, cookie, h('9'));
  await call('list', 'GET', 'torrents/info');
  await add('add, v2 only', `magnet:?xt=urn:btmh:1220${SHA256}`);

  // What older WebAPIs lack: tags on an add (2.6.2), the tag filter (2.8.3), content_path (2.6.1).
  await call('add with a tag', 'POST', 'torrents/add', {
    urls: `magnet:?xt=urn:btih:${h('a')}`,
    tags: 'probe',
  });
  await waitUntilListed(url, cookie, h('a'));
  await fields('fields after an add with a tag', h('a'));
  await call('list by tag', 'GET', 'torrents/info?tag=probe');
  await call('addTags', 'POST', 'torrents/addTags', { hashes: h('b'), tags: 'probe' });
  await call('addTags', 'POST', 'torrents/addTags', { hashes: h('a'), tags: 'later' });
  await fields('fields after addTags', h('a'));
  await build();
  await freeSpace();

  await call('list two by hash', 'GET', `torrents/info?hashes=${HEX}|${h('4')}|${UNKNOWN}`);

  for (const action of ['pause', 'resume', 'stop', 'start']) {
    await call(action, 'POST', `torrents/${action}`, { hashes: HEX });
  }
  await call('delete an unknown hash', 'POST', 'torrents/delete', {
    hashes: UNKNOWN,
    deleteFiles: 'false',
  });
  await call('files of an unknown hash', 'GET', `torrents/files?hash=${UNKNOWN}`);
  await call('files of a torrent without metadata', 'GET', `torrents/files?hash=${HEX}`);
  await call('unknown endpoint', 'GET', 'nothing/here');
  return observations;
}

async function waitUntilListed(url: string, cookie: string, hash: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    const response = await fetch(`${url}/api/v2/torrents/info?hashes=${hash}`, {
      headers: { cookie },
    });
    if (((await response.json()) as unknown[]).length > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
