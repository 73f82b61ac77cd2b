import { z } from 'zod';
import { parseHostEntry, validateCommandPath } from './allow-list.js';

/**
 * The `runbooks:` section of vigil.yaml. The integration embeds this schema in the main config; every field
 * has a default, so an absent section means runbooks on, from ./runbooks, with empty global allow-lists.
 */
export const runbooksConfigSchema = z
  .object({
    /** Directory of runbook files (runbooks/*.yaml). */
    dir: z.string().min(1).default('runbooks'),
    /** Kill switch: false and no runbook runs; every match pages a human, saying so. */
    enabled: z.boolean().default(true),
    /** Global dry run: every runbook only records what it would do. */
    dryRun: z.boolean().default(false),
    /** Reload when a runbook file changes. */
    watch: z.boolean().default(true),
    /** Prometheus HTTP API base URL for check steps, e.g. http://prometheus:9090. */
    prometheusUrl: z
      .string()
      .refine((u) => /^https?:\/\//.test(u) && URL.canParse(u), 'must be an http:// or https:// URL')
      .optional(),
    /** Hosts every runbook's http steps may call (host, host:port, *.domain). */
    allowHosts: z
      .array(z.string())
      .default([])
      .superRefine((hosts, ctx) =>
        hosts.forEach((h, i) => {
          const parsed = parseHostEntry(h);
          if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed, path: [i] });
        }),
      ),
    /** Executables every runbook's command steps may run (absolute paths). */
    allowCommands: z
      .array(z.string())
      .default([])
      .superRefine((cmds, ctx) =>
        cmds.forEach((c, i) => {
          const problem = validateCommandPath(c);
          if (problem) ctx.addIssue({ code: 'custom', message: problem, path: [i] });
        }),
      ),
    /** Runs of all runbooks at the same time. */
    maxConcurrentRuns: z.number().int().min(1).max(1000).default(4),
    /** Bytes kept of each response body, stdout and stderr. */
    outputLimit: z.number().int().min(256).max(1_048_576).default(4096),
  })
  .strict();

export type RunbooksConfig = z.output<typeof runbooksConfigSchema>;
