/**
 * The widget's calls to the engine's learner-facing API, with the learner token: the inbox, the live stream
 * URL and feedback. Errors come back as ApiError carrying the problem+json answer, so a form can show the
 * message next to the field it names.
 */
import type { TokenSource } from "./learner-token";

export interface ResponseSpec {
  type: "text" | "scale";
  maxLength?: number;
  min?: number;
  max?: number;
  labels?: Record<string, string>;
}

export interface InboxMessage {
  id: string;
  learnerId: string;
  courseId: string | null;
  kind: "nudge" | "goal_prompt" | "goal_reminder" | "self_assessment";
  title: string;
  body: string;
  cta: { label: string; url: string } | null;
  response: ResponseSpec | null;
  status: string;
  deliveredAt: string | null;
  engagement?: { seenAt: string | null; clickedAt: string | null; dismissedAt: string | null; respondedAt: string | null; vote: string | null };
  answer?: unknown;
}

export type FeedbackType = "seen" | "clicked" | "dismissed" | "helpful" | "not_helpful" | "response";

/** A problem+json answer (or a network failure, status 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly fieldErrors: Array<{ path: string; message: string }> = [],
  ) {
    super(message);
  }
}

const TIMEOUT_MS = 10_000;

export class InboxClient {
  constructor(
    private readonly engineUrl: string,
    private readonly tokens: TokenSource,
  ) {}

  /** The learner's delivered messages for the course, newest first. */
  async list(learnerId: string, courseId: string | undefined): Promise<InboxMessage[]> {
    const query = courseId ? `?courseId=${encodeURIComponent(courseId)}` : "";
    const body = (await this.call("GET", `/v1/learners/${encodeURIComponent(learnerId)}/messages${query}`)) as { messages: InboxMessage[] };
    return body.messages;
  }

  /** Records feedback and answers the message's new state. */
  async feedback(learnerId: string, messageId: string, type: FeedbackType, value?: unknown): Promise<InboxMessage> {
    const body = { learnerId, type, ...(value === undefined ? {} : { value }) };
    return (await this.call("POST", `/v1/messages/${encodeURIComponent(messageId)}/feedback`, body)) as InboxMessage;
  }

  /** The stream's URL: EventSource cannot send headers, so the learner token travels as access_token. */
  async streamUrl(learnerId: string, courseId: string | undefined, lastEventId: string | undefined): Promise<string> {
    const params = new URLSearchParams({ access_token: await this.tokens.get() });
    if (courseId) params.set("courseId", courseId);
    if (lastEventId) params.set("lastEventId", lastEventId);
    return `${this.base()}/v1/learners/${encodeURIComponent(learnerId)}/stream?${params}`;
  }

  private base(): string {
    return this.engineUrl.replace(/\/+$/, "");
  }

  private async call(method: string, path: string, body?: unknown, retried = false): Promise<unknown> {
    const token = retried ? await this.tokens.refresh() : await this.tokens.get();
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
    let res: Response;
    try {
      res = await fetch(this.base() + path, {
        method,
        headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "Content-Type": "application/json" }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: controller.signal,
        credentials: "omit",
      });
    } catch {
      throw new ApiError(0, "network");
    } finally {
      clearTimeout(timer);
    }
    if (res.status === 401 && !retried) return this.call(method, path, body, true);
    const text = await res.text();
    const json = text ? safeJson(text) : null;
    if (!res.ok) {
      const problem = (json ?? {}) as { detail?: string; errors?: Array<{ path: string; message: string }> };
      throw new ApiError(res.status, problem.detail ?? res.statusText, problem.errors ?? []);
    }
    return json;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
