/** Reports: every figure (figures.ts) and the forms they take — terminal table, digest email and chat, post-incident review — plus the digest schedules. */
export { computeSummary, compliance, defaultNightHours, defaultPageChannels, defaultTargets } from './figures.js';
export { renderSummaryText } from './render-text.js';
export { renderDigest, type DigestOptions, type RenderedDigest } from './digest.js';
export { renderDigestChat, type ChatDigest } from './digest-chat.js';
export { renderReview, wantsReview, type ReviewAlert, type ReviewInput } from './review.js';
export {
  cronProblem,
  defaultDigestSchedules,
  digestConfigSchema,
  nextRun,
  periodStart,
  planRun,
  previousRun,
  type DigestConfig,
  type DigestSchedule,
  type RunPlan,
} from './digest-schedule.js';
export { humanDuration, percent } from './format.js';
export { percentile, durationStats, type DurationStats } from './percentile.js';
export type * from './types.js';
