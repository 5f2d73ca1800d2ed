/**
 * The publish side of the soak, through the public API only: one NetService
 * published (probe, announce: RFC 6762 §8) and stopped (goodbye: §10.1), with
 * a deadline, so a publication that never completes fails the cycle instead
 * of hanging the soak. Runs inside the private network namespace.
 */
import { NetService } from '../../src/index.js';

/** The service type every soak publication uses. */
export const SOAK_TYPE = '_cfsoak._tcp';

/** Publishes "soak <index>" and stops it; rejects after `timeoutMs` (the service is stopped anyway). */
export async function publishAndStop(index: number, timeoutMs: number): Promise<void> {
  const service = new NetService('local.', SOAK_TYPE, `soak ${index}`, 9);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`publish not done within ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  try {
    const name = await Promise.race([service.publish({ txt: { cycle: String(index) } }), deadline]);
    if (!name.startsWith(`soak ${index}`)) throw new Error(`registered as ${JSON.stringify(name)}`);
  } finally {
    clearTimeout(timer);
    await service.stop();
  }
}
