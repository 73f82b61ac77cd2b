import { badRequest } from '../../errors/errors.js';
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import express, { type Request, type RequestHandler, type Router } from 'express';
import { z } from 'zod';
import { operation, route } from '../../http/operation.js';
import type { Logger } from '../../observe/logger.js';
import type { IncidentActions } from '../types.js';
import { RUNBOOK_APPROVE_ACTION_ID, RUNBOOK_REJECT_ACTION_ID } from '../planner.js';
import { ACK_ACTION_ID, RESOLVE_ACTION_ID } from '../render-chat.js';

export const SLACK_INTERACTIVE_PATH = '/api/v1/callbacks/slack/interactive';
/** Slack Events API: replies in an incident's thread become incident notes. */
export const SLACK_EVENTS_PATH = '/api/v1/callbacks/slack/events';

/**
 * Slack retries an event it thinks was not received (three times, over about an hour); an event id seen within
 * this window is not recorded twice. The ids are kept in the store, so a retry after a restart is known too.
 */
export const SLACK_RETRY_WINDOW_MS = 2 * 3_600_000;
/** A note is one chat reply; longer text is cut (Slack allows 40,000 characters). */
const NOTE_LIMIT = 4_000;

/** Slack's recommendation: refuse requests whose timestamp is more than five minutes from now (replays). */
export const SLACK_REPLAY_WINDOW_MS = 5 * 60_000;

/** Slack shows an error to the user when an interactive request is not answered within 3 s. */
const ANSWER_WITHIN_MS = 2_000;

const actionsById: Record<string, 'acknowledge' | 'resolve'> = { [ACK_ACTION_ID]: 'acknowledge', [RESOLVE_ACTION_ID]: 'resolve' };
/** Approve / Reject on a runbook's approval request (see planner.update). */
const runbookActions: Record<string, boolean> = { [RUNBOOK_APPROVE_ACTION_ID]: true, [RUNBOOK_REJECT_ACTION_ID]: false };

const header = (headers: IncomingHttpHeaders | Record<string, string | string[] | undefined>, name: string) => {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
};

/**
 * Slack's v0 request signature: `X-Slack-Signature: v0=<hex HMAC-SHA256(secret, "v0:<timestamp>:<raw body>")>`
 * with `X-Slack-Request-Timestamp` (unix seconds) within five minutes of `nowMs`.
 */
export function verifySlackSignature(
  secret: string,
  headers: IncomingHttpHeaders | Record<string, string | string[] | undefined>,
  rawBody: Buffer | string,
  nowMs: number,
): boolean {
  const timestamp = header(headers, 'x-slack-request-timestamp');
  const signature = header(headers, 'x-slack-signature');
  if (!secret || !timestamp || !signature || !/^\d{1,12}$/.test(timestamp)) return false;
  if (Math.abs(nowMs - Number(timestamp) * 1000) > SLACK_REPLAY_WINDOW_MS) return false;
  const expected = Buffer.from(`v0=${createHmac('sha256', secret).update(`v0:${timestamp}:`).update(rawBody).digest('hex')}`);
  const given = Buffer.from(signature.trim());
  return given.length === expected.length && timingSafeEqual(given, expected);
}

interface BlockActionsPayload {
  type?: unknown;
  user?: { id?: unknown; username?: unknown };
  actions?: { action_id?: unknown; value?: unknown }[];
}

type RawRequest = Request & { rawBody?: Buffer };

interface SlackMessageEvent {
  type?: unknown;
  subtype?: unknown;
  bot_id?: unknown;
  user?: unknown;
  text?: unknown;
  ts?: unknown;
  thread_ts?: unknown;
}

/** Slack interactivity (the Acknowledge/Resolve buttons on chat messages). */
export function slackCallbacks(deps: {
  signingSecret: string | undefined;
  actions: IncidentActions;
  logger: Logger;
  now?: () => number;
}): Router {
  const { signingSecret, actions } = deps;
  const logger = deps.logger.child({ callback: 'slack' });
  const now = deps.now ?? Date.now;
  const router = express.Router();

  // The signature covers the raw bytes, so this route parses its own body and keeps them.
  const body = express.urlencoded({
    extended: false,
    limit: '64kb',
    verify: (req, _res, buf) => {
      (req as RawRequest).rawBody = buf;
    },
  });

  async function run(payload: BlockActionsPayload): Promise<void> {
    const user = payload.user ?? {};
    const who = typeof user.username === 'string' && user.username ? user.username : String(user.id ?? 'unknown');
    const by = `slack:${who}`;
    for (const action of payload.actions ?? []) {
      const actionId = String(action?.action_id);
      const runbookDecision = Object.hasOwn(runbookActions, actionId) ? runbookActions[actionId] : undefined;
      if (runbookDecision !== undefined) {
        const runId = String(action.value ?? '');
        try {
          await actions.decideRunbook?.(runId, by, runbookDecision);
          logger.info({ run: runId, approved: runbookDecision, by }, 'runbook step decided from slack');
        } catch (err) {
          logger.warn({ run: runId, by, err: err instanceof Error ? err.message : String(err) }, 'slack runbook decision failed');
        }
        continue;
      }
      const kind = Object.hasOwn(actionsById, actionId) ? actionsById[actionId] : undefined;
      if (!kind) continue;
      const id = Number(action.value);
      if (!Number.isSafeInteger(id) || id <= 0) {
        logger.warn({ action: action.action_id }, 'slack action without a valid incident id');
        continue;
      }
      try {
        await actions[kind](id, by, 'chat');
        logger.info({ incident: id, action: kind, by }, 'incident changed from slack');
      } catch (err) {
        // 404/409 (gone, already resolved) and the like: Slack shows nothing for errors, the log keeps it.
        logger.warn({ incident: id, action: kind, by, err: err instanceof Error ? err.message : String(err) }, 'slack action failed');
      }
    }
  }

  const jsonBody = express.json({
    limit: '256kb',
    verify: (req, _res, buf) => {
      (req as RawRequest).rawBody = buf;
    },
  });
  /** A reply in an incident's thread, by a person (not a bot, not an edit): recorded as a note, once per event id. */
  async function recordReply(event: SlackMessageEvent, eventId: string | null): Promise<void> {
    if (event.type !== 'message' || event.subtype !== undefined || event.bot_id !== undefined) return;
    const thread = typeof event.thread_ts === 'string' ? event.thread_ts : null;
    const text = typeof event.text === 'string' ? event.text.trim() : '';
    if (!thread || thread === event.ts || !text) return;
    const incident = await actions.incidentForThread(thread);
    if (incident === null) return;
    const user = typeof event.user === 'string' ? event.user : 'unknown';
    const by = actions.personBySlack(user)?.id ?? `slack:${user}`;
    const note = text.length > NOTE_LIMIT ? `${text.slice(0, NOTE_LIMIT)}…` : text;
    const once = eventId === null ? undefined : { key: `slack:${eventId}`, windowMs: SLACK_RETRY_WINDOW_MS };
    const recorded = await actions.addNote(incident, by, 'chat', note, once);
    if (recorded === false) logger.debug({ incident, event: eventId }, 'chat reply already recorded (a retried event)');
    else logger.info({ incident, by }, 'chat reply recorded as a note');
  }

  // The signature is checked before the body is read as an event (an unsigned request is 401, whatever it holds).
  const signedEvent: RequestHandler = (req, res, next) => {
    const raw = (req as RawRequest).rawBody;
    if (!signingSecret || !raw || !verifySlackSignature(signingSecret, req.headers, raw, now())) {
      logger.warn({ ip: req.ip, configured: Boolean(signingSecret) }, 'slack event refused: no signing secret, or a missing, invalid or stale signature');
      res.status(401).end();
      return;
    }
    next();
  };

  route(
    router,
    slackOperations.events,
    async ({ body: payload }, _req, res) => {
      if (payload.type === 'url_verification' && typeof payload.challenge === 'string') {
        res.json({ challenge: payload.challenge });
        return;
      }
      if (payload.type === 'event_callback' && payload.event) {
        const id = typeof payload.event_id === 'string' && payload.event_id ? payload.event_id.slice(0, 128) : null;
        try {
          await recordReply(payload.event, id);
        } catch (err) {
          // Not recorded (the store is down): let Slack retry later.
          logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'chat reply not recorded');
          res.status(503).set('Retry-After', '5').end();
          return;
        }
      }
      res.json({});
    },
    jsonBody,
    signedEvent,
  );

  const signedCallback: RequestHandler = (req, res, next) => {
    const raw = (req as RawRequest).rawBody;
    if (!signingSecret) {
      logger.warn('slack callback refused: no signing secret configured');
      res.status(401).end();
      return;
    }
    if (!raw || !verifySlackSignature(signingSecret, req.headers, raw, now())) {
      logger.warn({ ip: req.ip }, 'slack callback refused: missing, invalid or stale signature');
      res.status(401).end();
      return;
    }
    next();
  };

  route(
    router,
    slackOperations.interactive,
    async ({ body: form }, _req, res) => {
      let payload: BlockActionsPayload;
      try {
        payload = JSON.parse(form.payload ?? '') as BlockActionsPayload;
      } catch {
        throw badRequest('interactive: payload: not JSON', [{ field: 'payload', problem: 'not JSON' }]);
      }
      if (payload?.type === 'block_actions') {
        // Answer within Slack's deadline even if the change is slow; it completes in the background.
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          run(payload),
          new Promise<void>((resolve) => {
            timer = setTimeout(resolve, ANSWER_WITHIN_MS);
          }),
        ]);
        clearTimeout(timer);
      }
      res.status(200).end();
    },
    body,
    signedCallback,
  );

  return router;
}

const unsigned = { description: 'No signing secret configured, or a missing, invalid or stale (over five minutes) X-Slack-Signature: nothing changed' };

/** The operations this module mounts (the OpenAPI document is generated from them). */
export const slackOperations = {
  events: operation({
    id: 'slackEvents',
    method: 'post',
    path: SLACK_EVENTS_PATH,
    tag: 'callbacks',
    summary: "Slack Events API: answers the URL verification challenge; a person's reply in an incident's thread becomes a note",
    description: 'A retried event (same event_id within two hours) is recorded once.',
    access: 'slack-signature',
    body: z
      .object({
        type: z.string().optional().describe('url_verification or event_callback; other types are answered 200 and ignored'),
        challenge: z.string().optional().describe('url_verification: the value to answer back'),
        event_id: z.string().optional().describe('event_callback: the event id (a retried event keeps it)'),
        event: z
          .object({ type: z.string() })
          .loose()
          .optional()
          .describe(
            'event_callback: the event, shaped by its type. A message (no subtype, no bot_id) whose thread_ts is an incident thread other than its own ts has its text recorded as a note by user.',
          ),
      })
      .loose()
      .describe("Slack's event envelope"),
    bodyName: 'event',
    responses: {
      200: {
        description: 'Received: {} for an event, {"challenge": …} for url_verification',
        schema: z.object({ challenge: z.string().optional().describe('url_verification: the challenge, answered back') }),
      },
      401: unsigned,
      503: { description: 'The reply could not be recorded now (the store is down); Slack retries (Retry-After)' },
    },
  }),
  interactive: operation({
    id: 'slackInteractive',
    method: 'post',
    path: SLACK_INTERACTIVE_PATH,
    tag: 'callbacks',
    summary: "Slack interactivity: the Acknowledge/Resolve buttons on Vigil's messages and Approve/Reject on runbook approvals",
    description: 'Answered 200 within Slack\'s 3 s even when the change is slow or refused (the log keeps why).',
    access: 'slack-signature',
    body: z
      .object({
        payload: z
          .string()
          .optional()
          .describe('The interaction as JSON; a block_actions payload (user, actions[].action_id and value) acts, other types are ignored'),
      })
      .describe("Slack's interaction form"),
    bodyName: 'interactive',
    bodyType: 'application/x-www-form-urlencoded',
    responses: {
      200: { description: 'Received (an empty body)' },
      401: unsigned,
    },
  }),
};
