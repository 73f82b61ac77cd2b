import { CronExpressionParser } from 'cron-parser';

/** Why a five-field cron expression is unusable, or null (maintenance windows and digest schedules). */
export function cronProblem(expr: string): string | null {
  if (expr.trim() === '' || expr.trim().split(/\s+/).length !== 5) {
    return 'expected 5 fields (minute hour day-of-month month day-of-week)';
  }
  try {
    CronExpressionParser.parse(expr, { tz: 'UTC' }).next();
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}
