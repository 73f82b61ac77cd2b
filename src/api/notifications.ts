import type { Operation } from '../http/operation.js';
import { iso } from './present.js';
import { Router } from 'express';
import { z } from 'zod';
import type { NotificationRow, StoreReader } from '../store/types.js';
import { parseQuery } from '../http/validation.js';

const query = z.object({
  incident: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(2000).default(500),
  attempts: z.enum(['true', 'false']).optional(),
});


/** Deliveries: who was told what, how, and how it went (VIGIL_API_TOKEN). */
export function notificationRoutes(store: StoreReader): Router {
  const router = Router();
  const present = (n: NotificationRow) => ({
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
  router.get('/api/v1/notifications', async (req, res) => {
    const q = parseQuery(query, req.query);
    const rows = await store.listNotifications(q.incident, q.limit);
    const withAttempts = q.attempts === 'true';
    res.json({
      notifications: await Promise.all(
        rows.map(async (n) => ({
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

/** The operations this module mounts (the OpenAPI document is generated from them). */
export const notificationOperations: Record<string, Operation> = {};
