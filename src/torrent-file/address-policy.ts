import ipaddr from 'ipaddr.js';

/**
 * Why a .torrent URL may not reach this address, or null when it may: only global unicast
 * addresses are allowed, so that a link cannot make this service call loopback, the private
 * network, link-local cloud metadata (169.254.169.254, fd00:ec2::254) or carrier-grade NAT ranges.
 * IPv4-mapped IPv6 addresses are judged as the IPv4 address they carry.
 */
export function forbiddenAddressReason(address: string): string | null {
  if (!ipaddr.isValid(address)) return null;
  const range = ipaddr.process(address).range();
  return range === 'unicast' ? null : `${address} is a ${describeRange(range)} address`;
}

/** An IP address literal, without the brackets a URL puts around IPv6 addresses. */
export function ipLiteralOf(hostname: string): string | null {
  const bare = hostname.replace(/^\[(.*)\]$/, '$1');
  return ipaddr.isValid(bare) ? bare : null;
}

function describeRange(range: string): string {
  // ipaddr.js names ranges in camelCase: linkLocal -> link-local.
  return range.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}
