import type { Logger } from '@nestjs/common';
import type { PoolMember } from './pool-member.js';

/**
 * Logs in to every instance, in the background, and names the settings of each that can lose
 * downloads. One that fails is tried again on the next call (or, among several, by the background
 * look).
 */
export function connectEach(members: readonly PoolMember[], alone: boolean, logger: Logger): void {
  for (const member of members) {
    member
      .call((client) => client.login())
      .then(() => auditSettings(member, logger))
      .catch((error: unknown) => {
        logger.warn(
          `${member.name} login at start-up failed: ${(error as Error).message}; ` +
            (alone ? 'the next request will try again' : 'the others take its adds meanwhile'),
        );
      });
  }
}

async function auditSettings(member: PoolMember, logger: Logger): Promise<void> {
  const risks = await member.instance.settings.risks().catch(() => null);
  if (risks === null) return;
  if (risks.length === 0) {
    logger.log(`${member.name} settings: none of those known to lose downloads`);
    return;
  }
  logger.warn(
    `${member.name} settings that can lose downloads: ${risks.map((r) => `${r.setting} (${r.risk})`).join('; ')}`,
  );
}
