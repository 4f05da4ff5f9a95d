// The entry point. It loads nothing before checking the Node.js version: an older Node.js would
// otherwise fail deep inside a dependency with a stack trace instead of one line that says why.
const REQUIRED_NODE_MAJOR = 24;

const [major = 0] = process.versions.node.split('.').map(Number);
if (major < REQUIRED_NODE_MAJOR) {
  process.stderr.write(
    `downloader-qbittorrent needs Node.js ${REQUIRED_NODE_MAJOR} or later; this is Node.js ${process.versions.node}\n`,
  );
  process.exit(1);
}
await import('./server.js');
