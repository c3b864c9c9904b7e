/**
 * The studio's one way to the engine: the public API with the signed-in key (kept in sessionStorage, never
 * sent anywhere else). Errors come back as ApiProblem carrying the problem+json answer, so a form can show
 * each message next to the field its `path` names.
 */
export interface FieldError {
  path: string;
  message: string;
  /** Template sources: where in the source (1-based). */
  line?: number;
  column?: number;
}

/** A 4xx/5xx answer (status 0: the engine could not be reached). */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly errors: FieldError[] = [],
    readonly body: unknown = null,
  ) {
    super(detail);
  }

  /** The message for a body field (exact path, or the first error under it). */
  fieldMessage(path: string): string | undefined {
    return this.fieldErrors(path)[0]?.message;
  }

  /** Every error for a body field (exact path, or under it). */
  fieldErrors(path: string): FieldError[] {
    return this.errors.filter((e) => e.path === path || e.path.startsWith(`${path}.`) || e.path.startsWith(`${path}[`));
  }
}

export type Role = "ingest" | "author" | "analyst" | "admin";

export class StudioApi {
  constructor(
    private readonly key: string,
    private readonly base = "",
  ) {}

  /** GET, answering parsed JSON. */
  get<T = unknown>(path: string, init: { accept?: string } = {}): Promise<T> {
    return this.request<T>("GET", path, undefined, init.accept);
  }

  /** GET as text (e.g. CSV with accept "text/csv"). */
  async text(path: string, accept: string): Promise<string> {
    const res = await this.fetch("GET", path, undefined, accept);
    return res.text();
  }

  /** POST / PUT / DELETE with a JSON body, answering parsed JSON (or null for 204). */
  send<T = unknown>(method: "POST" | "PUT" | "DELETE", path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
    return this.request<T>(method, path, body, undefined, headers);
  }

  private async request<T>(method: string, path: string, body: unknown, accept?: string, headers: Record<string, string> = {}): Promise<T> {
    const res = await this.fetch(method, path, body, accept, headers);
    if (res.status === 204) return null as T;
    const text = await res.text();
    return (text ? JSON.parse(text) : null) as T;
  }

  private async fetch(method: string, path: string, body: unknown, accept?: string, headers: Record<string, string> = {}): Promise<Response> {
    let res: Response;
    try {
      res = await fetch(this.base + path, {
        method,
        headers: {
          Authorization: `Bearer ${this.key}`,
          ...(accept ? { Accept: accept } : {}),
          ...(body === undefined ? {} : { "Content-Type": "application/json" }),
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      throw new ApiProblem(0, "The engine could not be reached. Check your connection and try again.");
    }
    if (!res.ok) {
      const text = await res.text();
      let problem: { detail?: string; title?: string; errors?: FieldError[] } = {};
      try {
        problem = JSON.parse(text);
      } catch {
        // not problem+json: keep the status text
      }
      throw new ApiProblem(res.status, problem.detail ?? problem.title ?? res.statusText, problem.errors ?? [], problem);
    }
    return res;
  }
}

/** What every view element receives from the shell. */
export interface ViewContext {
  api: StudioApi;
  role: Role;
  /** The view's URL parameters, e.g. {key: "quiz-retry"} for #/templates/quiz-retry. */
  params: Record<string, string>;
  /** Navigates within the studio (pushes history), e.g. navigate("/learners/L1"). */
  navigate(path: string): void;
}

/** True when the role may change content (templates, rules, segments, policy, mappings). */
export function canWrite(role: Role): boolean {
  return role === "author" || role === "admin";
}
