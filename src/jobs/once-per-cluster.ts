import type { Store } from '../store/types.js';
import type { Job } from './scheduler.js';

/**
 * A job that one instance at a time runs when several share a PostgreSQL database (digests, reviews, the
 * suppression pass): an instance finding it running elsewhere skips that tick. Its writes stay safe if two ran
 * anyway (idempotency keys, row locks); this spares the duplicate work.
 */
export function oncePerCluster(store: Pick<Store, 'runAlone'>, job: Job): Job {
  return { ...job, run: (now) => store.runAlone(job.name, () => job.run(now)) };
}
