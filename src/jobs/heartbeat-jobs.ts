import type { HeartbeatMonitors } from '../heartbeats/monitors.js';
import type { Job } from './scheduler.js';

/** Heartbeat monitors whose ping is overdue: late, then down (their incident opens). */
export function heartbeatsJob(monitors: HeartbeatMonitors): Job {
  return { name: 'heartbeats', run: () => monitors.sweep(), nextDueAt: () => monitors.nextDueAt() };
}
