import { Router, type Response } from 'express';
import { z } from 'zod';
import type { Principal } from '../access/principal.js';
import { operation, route } from '../http/operation.js';
import { isoTime, named } from '../http/api-schemas.js';
import type { ChangeFeed, FeedBatch } from '../live/change-feed.js';
import { incidentSchema, presentIncident } from './present.js';

const pollQuery = z.object({
  since: z.coerce.number().int().min(0).optional().describe('The last seq seen: the batches after it (a Last-Event-ID header wins over it).'),
});

/** A batch as a viewer gets it, in the JSON answer and as the data of an `incidents` event of the stream. */
const feedBatchSchema = named(
  'FeedBatch',
  z.object({
    seq: z.number().int().describe('Increasing per process; streams resume from it (Last-Event-ID).'),
    at: isoTime,
    incidents: z.array(incidentSchema).describe('The changed incidents as they are after the change.'),
    opened: z.array(z.number().int()).describe('Incidents that opened or reopened in this batch (a critical one raises the pop-up).'),
    escalatedToMe: z.array(z.number().int()).describe('Incidents escalated in this batch to a tier that pages the signed-in person.'),
  }),
  'One batch of incident changes, as one viewer sees it.',
);

const pollAnswer = named(
  'FeedPoll',
  z.object({
    last: z.number().int().describe('The latest seq: poll again with since=last.'),
    reset: z.boolean().describe('True when the batches after since are no longer kept (or since is from another process): reload everything.'),
    batches: z.array(feedBatchSchema).describe('The batches after since, oldest first; none without since.'),
  }),
);

/** The operations this module mounts (the OpenAPI document is generated from them). */
export const eventOperations = {
  events: operation({
    id: 'getEvents',
    method: 'get',
    path: '/api/v1/events',
    tag: 'events',
    summary: "Live incident changes for the console: a Server-Sent Events stream, or polled as JSON",
    description: [
      'With `Accept: text/event-stream` (and not application/json) the answer is a `text/event-stream` that stays open:',
      '`retry: 2000`, then `event: hello` with `data: {"seq": N}` (or, resuming from a Last-Event-ID header or `since`,',
      'the missed batches, or `event: reset` with `data: {"seq": N}` when they are no longer kept), then one',
      '`event: incidents` per batch with `id: SEQ` and a FeedBatch as its JSON `data`; a `: keep-alive` comment every',
      '15 s. A viewer that falls too far behind is disconnected and resumes from its Last-Event-ID.',
      '',
      'Otherwise (clients behind a proxy that refuses streams) the answer is JSON: the batches after `since`, polled.',
    ].join('\n'),
    access: 'api',
    query: pollQuery,
    responses: { 200: { description: 'The batches after since as JSON, or the stream (see the description)', schema: pollAnswer, also: ['text/event-stream'] } },
  }),
};

/** A stream that falls this far behind is ended; it reconnects and resumes (bounded memory per viewer). */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
const HEARTBEAT_MS = 15_000;

/** The shared part of a batch, serialized once for every viewer. */
const shared = new WeakMap<FeedBatch, string>();
function batchFields(b: FeedBatch): string {
  let text = shared.get(b);
  if (text === undefined) {
    text = `"seq":${b.seq},"at":${JSON.stringify(new Date(b.at).toISOString())},"incidents":${JSON.stringify(b.incidents.map(presentIncident))},"opened":${JSON.stringify(b.opened)}`;
    shared.set(b, text);
  }
  return text;
}

/** A batch as one viewer sees it: escalations are told only to the people the new tier pages. */
function forViewer(b: FeedBatch, viewer: Principal | undefined): string {
  const mine = viewer?.person ? b.escalated.filter((e) => e.people.includes(viewer.person!)).map((e) => e.incidentId) : [];
  return `{${batchFields(b)},"escalatedToMe":${JSON.stringify(mine)}}`;
}

/**
 * Live updates for the console: `GET /api/v1/events` as Server-Sent Events (resuming from Last-Event-ID), or,
 * for clients behind a proxy that refuses streams, the same batches as JSON (`?since=SEQ`, polled).
 */
export function eventRoutes(feed: ChangeFeed): Router {
  const router = Router();
  route(router, eventOperations.events, async ({ query: q }, req, res) => {
    const viewer = res.locals.principal;
    const lastId = req.headers['last-event-id'];
    const resumeFrom = typeof lastId === 'string' && /^\d+$/.test(lastId) ? Number(lastId) : q.since;
    if (!req.accepts('text/event-stream') || req.headers.accept?.includes('application/json')) {
      const batches = resumeFrom === undefined ? [] : await feed.since(resumeFrom);
      res.setHeader('Cache-Control', 'no-store');
      res.type('application/json').send(
        batches === null
          ? `{"last":${feed.lastSeq},"reset":true,"batches":[]}`
          : `{"last":${feed.lastSeq},"reset":false,"batches":[${batches.map((b) => forViewer(b, viewer)).join(',')}]}`,
      );
      return;
    }
    stream(res, feed, viewer, resumeFrom);
  });
  return router;
}

function stream(res: Response, feed: ChangeFeed, viewer: Principal | undefined, resumeFrom: number | undefined): void {
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-store',
    Connection: 'keep-alive',
    // nginx and similar proxies would otherwise hold the events back.
    'X-Accel-Buffering': 'no',
  });
  res.socket?.setNoDelay(true);
  let open = true;
  let unsubscribe = () => {};
  const heartbeat = setInterval(() => send(': keep-alive\n\n'), HEARTBEAT_MS);
  heartbeat.unref();
  const end = () => {
    if (!open) return;
    open = false;
    clearInterval(heartbeat);
    unsubscribe();
    res.end();
  };
  const send = (text: string) => {
    if (!open) return;
    res.write(text);
    if (res.writableLength > MAX_BUFFERED_BYTES) end();
  };
  let last = resumeFrom ?? feed.lastSeq;
  const event = (b: FeedBatch) => {
    if (b.seq <= last) return;
    last = b.seq;
    send(`id: ${b.seq}\nevent: incidents\ndata: ${forViewer(b, viewer)}\n\n`);
  };
  const reset = () => {
    last = feed.lastSeq;
    send(`id: ${last}\nevent: reset\ndata: {"seq":${last}}\n\n`);
  };
  send('retry: 2000\n');
  res.on('close', end);
  if (!open) return;
  if (resumeFrom === undefined) {
    send(`id: ${last}\nevent: hello\ndata: {"seq":${last}}\n\n`);
    if (!open) return;
    unsubscribe = feed.subscribe({ batch: event, close: end });
    return;
  }
  // Subscribed before the missed batches are read, so none committed meanwhile is lost; they wait until the
  // missed ones are sent.
  let waiting: FeedBatch[] | null = [];
  unsubscribe = feed.subscribe({ batch: (b) => (waiting ? waiting.push(b) : event(b)), close: end });
  void feed
    .since(resumeFrom)
    // The store could not be read: like a stream that missed too much, the console reloads what it shows.
    .catch(() => null)
    .then((missed) => {
      if (missed === null) reset();
      else missed.forEach(event);
      waiting?.forEach(event);
      waiting = null;
    });
}
