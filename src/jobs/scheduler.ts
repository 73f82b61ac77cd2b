import type { Clock } from '../time/clock.js';
import type { Logger } from '../observe/logger.js';
import type { CoreMetrics } from '../observe/metrics.js';

export interface Job {
  name: string;
  /** Works on due rows in the store as of `now`; must be safe to run again after a crash. */
  run(now: number): Promise<unknown>;
  /**
   * Runs beside the other jobs instead of in turn (a digest's report takes seconds): the next tick's timers
   * do not wait for it, and it is not started again while it runs.
   */
  background?: boolean;
  /**
   * When this job next has work (ms), or null for none known: the scheduler wakes then rather than at the next
   * interval, so an incident timer fires on its second instead of up to an interval late.
   */
  nextDueAt?(): Promise<number | null>;
}

/** The shortest wait between ticks: a due row that keeps failing is retried at this pace at the most. */
const MIN_WAIT_MS = 50;

/**
 * One tick runs every job in order. Due times live in the store, so a restart resumes where it stopped;
 * each job is isolated (a failure is logged and counted, the others still run) and timed. A background job
 * is started in its place and left running; tick() resolves when it is done too. Once started, the next tick
 * comes after the interval, or sooner when a job says its next work is due sooner.
 */
export class Scheduler {
  private timer: NodeJS.Timeout | null = null;
  private started = false;
  private running: Promise<void> | null = null;
  private readonly inBackground = new Map<string, Promise<void>>();
  private nextDue = 0;
  private failedLastTick = false;

  constructor(
    private readonly jobs: Job[],
    private readonly clock: Clock,
    private readonly intervalMs: number,
    private readonly logger: Logger,
    private readonly metrics: CoreMetrics,
  ) {}

  /** Runs every job once, and resolves when they are done, background ones included. Tests call this after moving the clock. */
  async tick(): Promise<void> {
    await this.runInTurn();
    await Promise.all(this.inBackground.values());
  }

  /** The tick's jobs in turn, background ones started (not awaited). */
  private runInTurn(): Promise<void> {
    this.running ??= (async () => {
      const now = this.clock.now();
      if (this.nextDue > 0) this.metrics.schedulerLag.set(Math.max(0, now - this.nextDue) / 1000);
      this.failedLastTick = false;
      for (const job of this.jobs) {
        if (!job.background) await this.runJob(job, now);
        else if (!this.inBackground.has(job.name)) {
          this.inBackground.set(
            job.name,
            this.runJob(job, now).finally(() => this.inBackground.delete(job.name)),
          );
        }
      }
      this.nextDue = now + this.intervalMs;
    })().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async runJob(job: Job, now: number): Promise<void> {
    const end = this.metrics.schedulerJobSeconds.startTimer({ job: job.name });
    try {
      await job.run(now);
    } catch (err) {
      this.failedLastTick = true;
      this.metrics.schedulerJobFailures.inc({ job: job.name });
      this.logger.error({ err, job: job.name }, 'scheduler job failed');
    } finally {
      end();
    }
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    void this.loop();
  }

  private async loop(): Promise<void> {
    await this.runInTurn();
    if (!this.started) return;
    const wait = await this.waitBeforeNextTick();
    if (!this.started) return;
    this.nextDue = this.clock.now() + wait;
    this.timer = setTimeout(() => void this.loop(), wait);
    this.timer.unref();
  }

  /** The interval, or less when a job's next work is due sooner; after a failure, the interval. */
  private async waitBeforeNextTick(): Promise<number> {
    if (this.failedLastTick) return this.intervalMs;
    let wait = this.intervalMs;
    for (const job of this.jobs) {
      if (!job.nextDueAt) continue;
      try {
        const due = await job.nextDueAt();
        if (due !== null) wait = Math.min(wait, Math.max(MIN_WAIT_MS, due - this.clock.now()));
      } catch (err) {
        this.logger.warn({ err, job: job.name }, 'scheduler could not read when the job is next due');
      }
    }
    return wait;
  }

  async stop(): Promise<void> {
    this.started = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.running) await this.running;
    await Promise.all(this.inBackground.values());
  }
}
