// The reference point of the add benchmark: the least a service could do in front of qBittorrent.
// A bare node:http server that forwards POST /download to torrents/add over a kept-alive
// connection with a session cookie, and answers 201. No validation, no retries, no logs.
//   node bench/forwarder.mjs <port> <qBittorrent url> <cookie>
import { Agent, createServer, request } from 'node:http';

const [port, qbittorrent, cookie] = process.argv.slice(2);
const agent = new Agent({ keepAlive: true, maxSockets: 32 });
const target = new URL('/api/v2/torrents/add', qbittorrent);

createServer((req, res) => {
  let body = '';
  req.on('data', (chunk) => (body += chunk));
  req.on('end', () => {
    const { url } = JSON.parse(body);
    const form = new URLSearchParams({ urls: url }).toString();
    const upstream = request(
      target,
      {
        method: 'POST',
        agent,
        headers: {
          cookie,
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': Buffer.byteLength(form),
        },
      },
      (answer) => {
        answer.resume();
        answer.on('end', () => {
          res.writeHead(answer.statusCode === 200 ? 201 : 500, {
            'content-type': 'application/json',
          });
          res.end('{"status":"accepted"}');
        });
      },
    );
    upstream.on('error', () => res.writeHead(500).end());
    upstream.end(form);
  });
}).listen(Number(port), '127.0.0.1');
