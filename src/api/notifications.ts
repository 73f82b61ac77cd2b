import { iso } from './present.js';
import { Router } from 'express';
import { z } from 'zod';
import type { NotificationRow, StoreReader } from '../store/types.js';
import { operation, route } from '../http/operation.js';
import { isoTime, isoTimeOrNull, named } from '../http/api-schemas.js';

const query = z.object({
  incident: z.coerce.number().int().positive().optional().describe("Only this incident's messages (oldest first); without it, the newest first."),
  limit: z.coerce.number().int().min(1).max(2000).default(500),
  attempts: z.enum(['true', 'false']).optional().describe('With true, each message also lists its delivery attempts (attemptLog).'),
});

const when = isoTimeOrNull;

const attemptSchema = z.object({
  notificationId: z.number().int(),
  at: isoTime,
  outcome: z.enum(['delivered', 'retry', 'failed', 'cancelled']),
  errorKind: z.string().nullable().describe('client, auth, rate_limited, server, timeout or network; null when delivered.'),
  error: z.string().nullable(),
  durationMs: z.number().describe('How long the provider took to answer.'),
});

export const notificationSchema = named(
  'Notification',
  z.object({
    id: z.number().int(),
    incidentId: z.number().int().nullable().describe('null for messages about no incident (digests).'),
    kind: z.string().describe('page, bundle, reminder, escalation, acknowledged, resolved, digest, review or update.'),
    channel: z.string().describe('voice, sms, chat, email or webhook.'),
    recipient: z.object({
      person: z.string().nullable().describe('The person id; null for a team channel or a webhook.'),
      name: z.string(),
      address: z.string().describe('Phone number, email address, chat user or channel, URL.'),
    }),
    status: z.enum(['pending', 'delivered', 'failed', 'cancelled']).describe('cancelled: a retry found the incident acknowledged or resolved, so the page was not sent.'),
    attempts: z.number().int(),
    providerId: z.string().nullable().describe("The provider's id of the message (call SID, Slack ts, ...)."),
    mode: z.enum(['live', 'log']).nullable().describe('log: the channel has no credentials and only logged the message.'),
    error: z.object({ kind: z.string(), message: z.string().nullable() }).nullable().describe('The last failure, if any.'),
    fallbackOf: z.number().int().nullable().describe('The message this one replaces on another channel after it failed.'),
    bundled: z.boolean().describe('Joined a bundle: pages to one person close together go out as one message.'),
    dueAt: isoTime,
    createdAt: isoTime,
    deliveredAt: when,
    attemptLog: z.array(attemptSchema).optional().describe('With attempts=true: every delivery attempt, oldest first.'),
  }),
  'One message in the outbox: who was told what, how, and how it went.',
);

/** The operations this module mounts (the OpenAPI document is generated from them). */
export const notificationOperations = {
  list: operation({
    id: 'listNotifications',
    method: 'get',
    path: '/api/v1/notifications',
    tag: 'notifications',
    summary: 'Deliveries: who was told what, on which channel, and how it went',
    access: 'api',
    query,
    responses: { 200: { description: 'The messages', schema: z.object({ notifications: z.array(notificationSchema) }) } },
  }),
};

/** Deliveries: who was told what, how, and how it went (VIGIL_API_TOKEN). */
export function notificationRoutes(store: StoreReader): Router {
  const router = Router();
  const present = (n: NotificationRow): z.infer<typeof notificationSchema> => ({
    id: n.id,
    incidentId: n.incidentId,
    kind: n.kind,
    channel: n.channel,
    recipient: { person: n.person, name: n.recipientName, address: n.address },
    status: n.status,
    attempts: n.attempts,
    providerId: n.providerId,
    mode: n.mode,
    error: n.errorKind ? { kind: n.errorKind, message: n.lastError } : null,
    fallbackOf: n.fallbackOf,
    bundled: n.bundleKey !== null,
    dueAt: iso(n.dueAt),
    createdAt: iso(n.createdAt),
    deliveredAt: iso(n.deliveredAt),
  });
  route(router, notificationOperations.list, async ({ query: q }, _req, res) => {
    const rows = await store.listNotifications(q.incident, q.limit);
    const withAttempts = q.attempts === 'true';
    res.json({
      notifications: await Promise.all(
        rows.map(async (n): Promise<z.infer<typeof notificationSchema>> => ({
          ...present(n),
          ...(withAttempts
            ? { attemptLog: (await store.attemptsOf(n.id)).map((a) => ({ ...a, at: iso(a.at) })) }
            : {}),
        })),
      ),
    });
  });
  return router;
}
