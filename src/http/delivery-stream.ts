/**
 * The learner's Server-Sent Events stream: one `message` event per delivery, its id the message id. A browser
 * reconnecting (EventSource does so by itself, sending the last id it saw as Last-Event-ID) first gets what
 * it missed from PostgreSQL, then live notifications from the process's delivery feed; notifications that
 * arrive during that catch-up wait for it, so the stream stays in delivery order and shows nothing twice.
 * The stream opens (200 and its headers) only once the feed follows the learner, so whatever a client reads
 * after the open is either in that read or comes down the stream.
 */
import type { Response } from "express";
import { deliveredSince } from "../learners/inbox";
import { presentMessage } from "./presenters/message.presenter";
import type { Message } from "../generated/prisma/client";
import type { AppContext } from "./app-context";

const KEEPALIVE_MS = 25_000;

export interface StreamRequest {
  learnerId: string;
  courseId: string | undefined;
  /** A valid message id from the Last-Event-ID header, or undefined. */
  lastEventId: string | undefined;
}

/** Streams to `res` until the client goes away or the feed closes (shutdown). */
export async function streamDeliveries(ctx: AppContext, res: Response, { learnerId, courseId, lastEventId }: StreamRequest): Promise<void> {
  const write = (text: string) => void (res.writableEnded || res.write(text));
  const send = (message: Message) => write(`event: message\nid: ${message.id}\ndata: ${JSON.stringify(presentMessage(message))}\n\n`);

  let caughtUp = false;
  const waiting: string[] = [];
  const replayed = new Set<string>();
  const show = async (messageId: string) => {
    const message = await ctx.prisma.message.findUnique({ where: { id: messageId } });
    if (message && !replayed.has(message.id) && (!courseId || message.courseId === courseId)) send(message);
  };
  const following = ctx.deliveryFeed.follow(learnerId, {
    delivered: (messageId) => (caughtUp ? void show(messageId).catch(() => undefined) : waiting.push(messageId)),
    closed: () => res.end(),
  });
  const keepalive = setInterval(() => write(": keepalive\n\n"), KEEPALIVE_MS);
  res.on("close", () => {
    clearInterval(keepalive);
    void following.then((unfollow) => unfollow());
  });
  // Following before the stream opens: a client that reads its inbox once the stream is open (the widget does,
  // when it has shown nothing to resume from) misses no delivery made between its read and this subscription.
  await following;
  res.writeHead(200, { "Content-Type": "text/event-stream", "Cache-Control": "no-cache", Connection: "keep-alive", "X-Accel-Buffering": "no" });
  write("retry: 5000\n\n");
  if (lastEventId) {
    for (const message of await deliveredSince(ctx.prisma, learnerId, lastEventId, courseId, ctx.clock.now())) {
      send(message);
      replayed.add(message.id);
    }
  }
  for (const messageId of waiting) await show(messageId);
  caughtUp = true;
  replayed.clear(); // only a notification racing the catch-up can name a replayed message
}
