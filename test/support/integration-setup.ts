import { jest } from '@jest/globals';

// Real qBittorrent instances take seconds to start, transfer and stop: hooks included.
jest.setTimeout(90_000);
