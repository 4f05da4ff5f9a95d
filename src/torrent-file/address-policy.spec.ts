import { describe, expect, it } from '@jest/globals';
import { forbiddenAddressReason, ipLiteralOf } from './address-policy.js';

describe(forbiddenAddressReason.name, () => {
  it.each(['93.184.215.14', '2606:4700::1111'])('allows the public address %s', (address) => {
    expect(forbiddenAddressReason(address)).toBeNull();
  });

  it.each([
    ['127.0.0.1', 'loopback'],
    ['::1', 'loopback'],
    ['10.0.0.8', 'private'],
    ['192.168.1.20', 'private'],
    ['172.16.0.1', 'private'],
    ['169.254.169.254', 'link-local'], // cloud metadata
    ['fd00:ec2::254', 'unique-local'], // AWS metadata over IPv6
    ['100.100.100.200', 'carrier-grade-nat'], // Alibaba metadata
    ['0.0.0.0', 'unspecified'],
    ['::ffff:127.0.0.1', 'loopback'], // IPv4-mapped IPv6
    ['fe80::1', 'link-local'],
    ['224.0.0.1', 'multicast'],
  ])('refuses %s (%s)', (address, range) => {
    expect(forbiddenAddressReason(address)).toContain(range);
  });
});

describe(ipLiteralOf.name, () => {
  it.each([
    ['127.0.0.1', '127.0.0.1'],
    ['[::1]', '::1'],
    ['mikanani.me', null],
  ])('%s -> %s', (hostname, literal) => {
    expect(ipLiteralOf(hostname)).toBe(literal);
  });
});
