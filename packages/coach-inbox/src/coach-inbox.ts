/**
 * <coach-inbox engine-url="https://coach.example" course-id="ml-101" token="lt1…" locale="fr">: the learner's
 * coaching messages inside the course page. It lists the inbox, shows new deliveries live (Server-Sent Events,
 * resuming with the last message id after a drop or a restart), records seen / clicked / dismissed / votes and
 * answers, and keeps quiet when the engine is away (retry with backoff, the page never breaks).
 */
import { LitElement, html, nothing } from "lit";
import { ApiError, InboxClient, type FeedbackType, type InboxMessage } from "./inbox-client";
import { readLearnerToken, TokenSource, type TokenProvider } from "./learner-token";
import { stringsFor } from "./i18n";
import { inboxStyles } from "./styles";
import { renderMessage, type CardContext } from "./message-view";

type Phase = "idle" | "loading" | "ready" | "offline";

const MAX_BACKOFF_MS = 30_000;

export class CoachInbox extends LitElement {
  static override styles = inboxStyles;
  static override properties = {
    engineUrl: { attribute: "engine-url" },
    courseId: { attribute: "course-id" },
    token: {},
    locale: {},
    heading: {},
    tokenProvider: { attribute: false },
    messages: { state: true },
    phase: { state: true },
    announcement: { state: true },
    formState: { state: true },
  };

  declare engineUrl: string;
  declare courseId: string | undefined;
  declare token: string | undefined;
  declare locale: string | undefined;
  declare heading: string | undefined;
  /** A function that fetches a fresh learner token from the page's backend (preferred over a fixed token). */
  declare tokenProvider: TokenProvider | undefined;
  declare messages: InboxMessage[];
  declare phase: Phase;
  declare announcement: string;
  declare formState: Record<string, { draft?: string; error?: string; busy?: boolean; thanked?: boolean }>;

  private client: InboxClient | null = null;
  private learnerId: string | null = null;
  private stream: EventSource | null = null;
  private lastEventId: string | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private failures = 0;
  private generation = 0;
  private seen = new Set<string>();
  private observer: IntersectionObserver | null = null;

  constructor() {
    super();
    this.engineUrl = "";
    this.messages = [];
    this.phase = "idle";
    this.announcement = "";
    this.formState = {};
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.observer = new IntersectionObserver((entries) => this.onVisible(entries), { threshold: 0.5 });
    document.addEventListener("visibilitychange", this.onPageVisibility);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stop();
    this.observer?.disconnect();
    document.removeEventListener("visibilitychange", this.onPageVisibility);
  }

  protected override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has("engineUrl") || changed.has("token") || changed.has("tokenProvider") || changed.has("courseId")) void this.start();
  }

  protected override updated(): void {
    for (const el of this.renderRoot.querySelectorAll<HTMLElement>("article[data-id]")) this.observer?.observe(el);
  }

  /** (Re)connects from scratch: the inbox first, then the live stream. */
  private async start(): Promise<void> {
    this.stop();
    if (!this.engineUrl || !(this.token || this.tokenProvider)) return;
    const generation = ++this.generation;
    const tokens = new TokenSource(this.token ?? null, this.tokenProvider ?? null);
    this.client = new InboxClient(this.engineUrl, tokens);
    this.phase = "loading";
    try {
      const claims = readLearnerToken(await tokens.get());
      if (!claims) throw new ApiError(401, "not a learner token");
      this.learnerId = claims.learnerId;
    } catch {
      if (generation === this.generation) this.scheduleRetry();
      return;
    }
    await this.connect(generation);
  }

  private async connect(generation: number): Promise<void> {
    if (!this.client || !this.learnerId || generation !== this.generation) return;
    try {
      const messages = await this.client.list(this.learnerId, this.courseId);
      if (generation !== this.generation) return;
      this.messages = messages;
      this.phase = "ready";
      this.failures = 0;
      this.lastEventId ??= messages[0]?.id;
      await this.openStream(generation);
    } catch {
      if (generation === this.generation) this.scheduleRetry();
    }
  }

  private async openStream(generation: number): Promise<void> {
    if (!this.client || !this.learnerId) return;
    const url = await this.client.streamUrl(this.learnerId, this.courseId, this.lastEventId);
    if (generation !== this.generation) return;
    const stream = new EventSource(url);
    this.stream = stream;
    stream.addEventListener("message", (event) => this.onDelivered(event as MessageEvent<string>));
    let dropped = false;
    stream.addEventListener("open", () => {
      this.failures = 0;
      if (this.phase === "offline") this.phase = "ready";
      // Last-Event-ID replays deliveries after the last one shown. With none shown yet there is nothing to resume
      // from: a delivery made between the inbox read and the stream's open would be in neither, so the inbox is
      // read again now that the stream follows (the engine opens it only then). Back after a drop, likewise.
      if (dropped || this.lastEventId === undefined) void this.refreshList(generation);
      dropped = false;
    });
    stream.addEventListener("error", () => {
      dropped = true;
      // CONNECTING: the browser retries by itself, sending Last-Event-ID. CLOSED: the engine answered with an
      // error (an expired token, a 503): start over with a fresh token, resuming after the last message seen.
      if (stream.readyState === EventSource.CLOSED && generation === this.generation) this.scheduleRetry();
      else if (this.phase === "ready") this.phase = "offline";
    });
  }

  private async refreshList(generation: number): Promise<void> {
    if (!this.client || !this.learnerId) return;
    try {
      const fresh = await this.client.list(this.learnerId, this.courseId);
      if (generation !== this.generation) return;
      const known = new Set(this.messages.map((m) => m.id));
      const added = fresh.filter((m) => !known.has(m.id));
      // Merged with what the stream brought while the read was under way, newest first, nothing twice.
      const inFresh = new Set(fresh.map((m) => m.id));
      const streamed = this.messages.filter((m) => !inFresh.has(m.id) && m.status !== "dismissed");
      this.messages = [...streamed, ...fresh].sort((a, b) => (b.deliveredAt ?? "").localeCompare(a.deliveredAt ?? ""));
      this.lastEventId ??= this.messages[0]?.id;
      if (added.length) this.announce(this.strings().newMessage(added[0].title));
    } catch {
      // the stream is back; the next drop or delivery tries again
    }
  }

  private onDelivered(event: MessageEvent<string>): void {
    let message: InboxMessage;
    try {
      message = JSON.parse(event.data) as InboxMessage;
    } catch {
      return;
    }
    if (event.lastEventId) this.lastEventId = event.lastEventId;
    this.phase = "ready";
    if (this.messages.some((m) => m.id === message.id)) return;
    this.messages = [message, ...this.messages];
    this.announce(this.strings().newMessage(message.title));
  }

  private scheduleRetry(): void {
    this.stream?.close();
    this.stream = null;
    this.phase = "offline";
    clearTimeout(this.retryTimer);
    const delay = Math.min(MAX_BACKOFF_MS, 1_000 * 2 ** this.failures++) * (0.75 + Math.random() * 0.5);
    const generation = this.generation;
    this.retryTimer = setTimeout(() => void this.connect(generation), delay);
  }

  private stop(): void {
    this.generation++;
    clearTimeout(this.retryTimer);
    this.stream?.close();
    this.stream = null;
  }

  private strings() {
    return stringsFor(this.locale ?? document.documentElement.lang ?? navigator.language).strings;
  }

  private announce(text: string): void {
    // Cleared first so the same words twice are announced twice.
    this.announcement = "";
    requestAnimationFrame(() => (this.announcement = text));
  }

  private readonly onPageVisibility = () => {
    if (document.visibilityState === "visible") {
      for (const el of this.renderRoot.querySelectorAll<HTMLElement>("article[data-id]")) {
        this.observer?.unobserve(el);
        this.observer?.observe(el);
      }
    }
  };

  /** `seen` when at least half a message is on screen in a visible tab, once per message. */
  private onVisible(entries: IntersectionObserverEntry[]): void {
    if (document.visibilityState !== "visible") return;
    for (const entry of entries) {
      const id = (entry.target as HTMLElement).dataset.id;
      if (!entry.isIntersecting || !id || this.seen.has(id)) continue;
      const message = this.messages.find((m) => m.id === id);
      if (!message || message.engagement?.seenAt) continue;
      this.seen.add(id);
      void this.send(message, "seen").catch(() => this.seen.delete(id));
    }
  }

  private async send(message: InboxMessage, type: FeedbackType, value?: unknown): Promise<InboxMessage> {
    if (!this.client || !this.learnerId) throw new ApiError(0, "not connected");
    const updated = await this.client.feedback(this.learnerId, message.id, type, value);
    this.messages = this.messages.map((m) => (m.id === updated.id ? { ...m, ...updated } : m));
    return updated;
  }

  private patchForm(id: string, patch: { draft?: string; error?: string; busy?: boolean; thanked?: boolean }): void {
    this.formState = { ...this.formState, [id]: { ...this.formState[id], ...patch } };
  }

  private async dismiss(message: InboxMessage): Promise<void> {
    const index = this.messages.findIndex((m) => m.id === message.id);
    try {
      await this.send(message, "dismissed");
    } catch {
      this.announce(this.strings().sendFailed);
      return;
    }
    this.messages = this.messages.filter((m) => m.id !== message.id);
    this.announce(this.strings().dismissed(message.title));
    await this.updateComplete;
    // Focus goes to the message that took its place (or the one before, or the heading): never lost.
    const cards = this.renderRoot.querySelectorAll<HTMLElement>("article[data-id]");
    const target = cards[Math.min(index, cards.length - 1)] ?? this.renderRoot.querySelector<HTMLElement>("h2");
    target?.focus();
  }

  private async answer(message: InboxMessage, value: unknown): Promise<void> {
    const t = this.strings();
    if (value === null || (typeof value === "string" && value.trim() === "")) {
      this.patchForm(message.id, { error: t.answerRequired });
      return;
    }
    this.patchForm(message.id, { busy: true, error: "" });
    try {
      await this.send(message, "response", value);
      this.patchForm(message.id, { busy: false, error: "", draft: "" });
    } catch (error) {
      const e = error as ApiError;
      const message400 = e.fieldErrors?.[0]?.message ?? (e.status >= 400 && e.status < 500 ? e.message : t.sendFailed);
      this.patchForm(message.id, { busy: false, error: message400 });
    }
  }

  private async vote(message: InboxMessage, vote: "helpful" | "not_helpful"): Promise<void> {
    try {
      await this.send(message, vote);
      this.patchForm(message.id, { thanked: true });
    } catch {
      this.announce(this.strings().sendFailed);
    }
  }

  protected override render() {
    const { lang, strings: t } = stringsFor(this.locale ?? document.documentElement.lang ?? navigator.language);
    const card: CardContext = {
      t,
      draft: (id) => this.formState[id]?.draft ?? "",
      error: (id) => this.formState[id]?.error || undefined,
      busy: (id) => Boolean(this.formState[id]?.busy),
      thanked: (id) => Boolean(this.formState[id]?.thanked),
      onDismiss: (m) => void this.dismiss(m),
      onClick: (m) => void this.send(m, "clicked").catch(() => undefined),
      onVote: (m, v) => void this.vote(m, v),
      onDraft: (m, text) => this.patchForm(m.id, { draft: text, error: "" }),
      onAnswer: (m, value) => void this.answer(m, value),
    };
    return html`<section part="container" lang=${lang} aria-labelledby="coach-inbox-heading">
      <h2 id="coach-inbox-heading" part="heading" tabindex="-1">${this.heading ?? t.heading}</h2>
      <div class="visually-hidden" role="status" aria-live="polite" aria-atomic="true">${this.announcement}</div>
      ${this.phase === "offline" ? html`<p class="status-line" part="status">${t.offline}</p>` : nothing}
      ${this.phase === "loading" ? html`<p class="status-line" part="status">${t.loading}</p>` : nothing}
      ${this.phase === "ready" && this.messages.length === 0 ? html`<p class="status-line" part="empty">${t.empty}</p>` : nothing}
      ${this.messages.length ? html`<ul part="list">${this.messages.map((m) => renderMessage(m, card))}</ul>` : nothing}
    </section>`;
  }
}
