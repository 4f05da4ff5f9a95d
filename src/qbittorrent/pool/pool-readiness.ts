import type { SettingRisk } from '../instance/qbittorrent-settings.js';
import type { PoolMember } from './pool-member.js';

/** Whether a qBittorrent can take adds, and what readiness says of the instances. */
export interface Readiness {
  up: boolean;
  details: Record<string, unknown>;
}

/** How readiness describes one qBittorrent of several. */
export interface InstanceReadiness {
  instance: string;
  status: 'up' | 'down';
  version: string | null;
  webApiVersion: string | null;
  /** Bytes free on its default save path; null until it reports it. */
  free_space_on_disk: number | null;
  /** Free space minus what its incomplete torrents still need; null while unknown. */
  room: number | null;
  incomplete_torrents: number;
  /** Named in QBITTORRENT_DRAIN: it takes no new torrent. */
  draining: boolean;
  /** Why it is down. */
  message?: string;
  risky_settings?: { setting: string; risk: string }[];
}

/**
 * One qBittorrent: ready when it answers and our session works, with its version and, as details
 * that never fail the check, the settings of qBittorrent's that can lose downloads.
 */
export async function describeOne(member: PoolMember): Promise<Readiness> {
  const { client, settings } = member.instance;
  try {
    const version = await member.call((qbittorrent) => qbittorrent.getVersion());
    const details = {
      url: client.baseUrl,
      version: version.app,
      webApiVersion: version.webApi,
      risky_settings: describedRisks(await settings.risks().catch(() => [])),
    };
    if (member.draining) {
      return { up: false, details: { message: ALL_DRAINING, draining: true, ...details } };
    }
    return { up: true, details };
  } catch (error) {
    return { up: false, details: { url: client.baseUrl, message: messageOf(error) } };
  }
}

/**
 * Several: ready while at least one can take adds, each described (address, version, up or down,
 * free space, room and incomplete torrents). A down one is not asked again here: the pool looks
 * at it in the background.
 */
export async function describeEach(members: readonly PoolMember[]): Promise<Readiness> {
  const instances = await Promise.all(members.map(describeMember));
  if (instances.every((instance) => instance.draining)) {
    return { up: false, details: { message: ALL_DRAINING, instances } };
  }
  return instances.some((instance) => instance.status === 'up' && !instance.draining)
    ? { up: true, details: { instances } }
    : { up: false, details: { message: 'no qBittorrent can take adds', instances } };
}

/** Risky settings as readiness names them: what and why (their metric key is for alerts). */
function describedRisks(risks: readonly SettingRisk[]): { setting: string; risk: string }[] {
  return risks.map(({ setting, risk }) => ({ setting, risk }));
}

const ALL_DRAINING = 'every qBittorrent is draining (QBITTORRENT_DRAIN): none takes new torrents';

async function describeMember(member: PoolMember): Promise<InstanceReadiness> {
  const { label, view, instance } = member;
  const described = (status: 'up' | 'down', extra: Partial<InstanceReadiness> = {}) => ({
    instance: label,
    status,
    version: instance.session.version?.app ?? null,
    webApiVersion: instance.session.version?.webApi ?? null,
    free_space_on_disk: view?.freeSpaceOnDisk ?? null,
    room: view?.room ?? null,
    incomplete_torrents: (view?.incomplete ?? 0) + member.addsInFlight,
    draining: member.draining,
    ...extra,
  });
  if (member.health.isDown) return described('down', { message: member.downReason });
  try {
    await member.call((client) => client.getVersion());
    const risks = await instance.settings.risks().catch(() => []);
    return described('up', { risky_settings: describedRisks(risks) });
  } catch (error) {
    return described('down', { message: messageOf(error) });
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
