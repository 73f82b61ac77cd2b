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
}

/**
 * One tick runs every job in order. Due times live in the store, so a restart resumes where it stopped;
 * each job is isolated (a failure is logged and counted, the others still run) and timed. A background job
 * is started in its place and left running; tick() resolves when it is done too.
 */
export class Scheduler {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private readonly inBackground = new Map<string, Promise<void>>();
  private nextDue = 0;

  constructor(
    private readonly jobs: Job[],
    private readonly clock: Clock,
    private readonly intervalMs: number,
    private readonly logger: Logger,
    private readonly metrics: CoreMetrics,
  ) {}

  /** Runs every job once, and resolves when they are done, background ones included. Tests call this after moving the clock. */
  async tick(): Promise<void> {
    this.running ??= (async () => {
      const now = this.clock.now();
      if (this.nextDue > 0) this.metrics.schedulerLag.set(Math.max(0, now - this.nextDue) / 1000);
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
    await this.running;
    await Promise.all(this.inBackground.values());
  }

  private async runJob(job: Job, now: number): Promise<void> {
    const end = this.metrics.schedulerJobSeconds.startTimer({ job: job.name });
    try {
      await job.run(now);
    } catch (err) {
      this.metrics.schedulerJobFailures.inc({ job: job.name });
      this.logger.error({ err, job: job.name }, 'scheduler job failed');
    } finally {
      end();
    }
  }

  start(): void {
    if (this.timer) return;
    void this.tick();
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.running) await this.running;
    await Promise.all(this.inBackground.values());
  }
}
