import { z } from 'zod';
import { errorAnswer, isoTime, named } from '../http/api-schemas.js';
import { operation } from '../http/operation.js';

/** A failing paging provider as /readyz reports it. */
const failingProvider = z.object({
  failingSince: isoTime.describe('Since when its deliveries fail'),
  failures: z.number().int().describe('Failed attempts since its last delivery'),
  lastError: z
    .object({ kind: z.enum(['client', 'auth', 'rate_limited', 'server', 'timeout', 'network']), message: z.string() })
    .nullable()
    .describe('What its last failed attempt was told'),
});

export const readinessSchema = named(
  'Readiness',
  z.object({
    status: z.literal('ready'),
    delivery: z.enum(['ok', 'degraded']).describe('degraded while a paging provider fails; Vigil still takes alerts, so it stays ready'),
    providers: z.record(z.string(), failingProvider).optional().describe('The failing providers by name; absent when none fails'),
  }),
);

export const reloadAnswerSchema = z.object({
  status: z.literal('reloaded'),
  files: z.array(z.string()).describe('The rules and runbooks files read'),
  rules: z.number().int().describe('Rules loaded'),
  runbooks: z.number().int().optional().describe('Runbooks loaded'),
});

export type Readiness = z.infer<typeof readinessSchema>;
export type ReloadAnswer = z.infer<typeof reloadAnswerSchema>;

/** Health, readiness, metrics and reload (the OpenAPI document is generated from them). */
export const serviceOperations = {
  health: operation({
    id: 'getHealth',
    method: 'get',
    path: '/healthz',
    tag: 'service',
    summary: 'Liveness: the process answers HTTP',
    access: 'public',
    responses: { 200: { description: 'The process is up', schema: z.object({ status: z.literal('ok') }) } },
  }),
  ready: operation({
    id: 'getReadiness',
    method: 'get',
    path: '/readyz',
    tag: 'service',
    summary: 'Readiness: the store answers; failing paging providers are reported without failing it',
    access: 'public',
    responses: {
      200: { description: 'Ready to take alerts', schema: readinessSchema },
      503: { description: 'The store is not reachable (with Retry-After)', schema: errorAnswer },
    },
  }),
  metrics: operation({
    id: 'getMetrics',
    method: 'get',
    path: '/metrics',
    tag: 'service',
    summary: "Prometheus metrics of every Vigil process (the text exposition format)",
    access: 'public',
    responses: { 200: { description: 'The metrics in Prometheus text exposition format', type: 'text/plain' } },
  }),
  reload: operation({
    id: 'reloadConfig',
    method: 'post',
    path: '/-/reload',
    tag: 'service',
    summary: 'Reloads the rules and runbooks files; a broken file is refused and the previous files stay in force',
    description: 'A refused reload answers invalid_config with the problems (file, line, column, field) as details.',
    access: 'api',
    responses: { 200: { description: 'The files now in force', schema: reloadAnswerSchema } },
  }),
};
