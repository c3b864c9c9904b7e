/**
 * <studio-app>: sign-in with an API key (kept in this tab's sessionStorage), the key's name and role in the
 * header, navigation limited to what the role can use, and one URL per view (hash routing: Back, Forward and
 * reload work). Leaving a view with unsaved edits asks first. Views are mounted by tag name from the registry
 * with the ViewContext properties.
 */
import { LitElement, html, nothing, type TemplateResult } from "lit";
import { ApiProblem, StudioApi, type Role } from "../api";
import { HOME, NAV, matchRoute, queryOf } from "../views/registry";
import { confirmDialog } from "../components/confirm-dialog";
import { discardUnsavedChanges, hasUnsavedChanges } from "./unsaved-changes";

const KEY_STORAGE = "coach.studio.key";

interface Session {
  api: StudioApi;
  name: string;
  role: Role;
}

type ViewElement = HTMLElement & { api: StudioApi; role: Role; params: Record<string, string>; navigate: (path: string) => void };

export class StudioApp extends LitElement {
  static override properties = {
    session: { state: true },
    signInError: { state: true },
    busy: { state: true },
    path: { state: true },
    announcement: { state: true },
  };

  declare session: Session | null;
  declare signInError: string;
  declare busy: boolean;
  declare path: string;
  declare announcement: string;

  /** The hash the shown view belongs to: Back into a dirty view is undone to this when the user stays. */
  private shownPath = "";
  private view: ViewElement | null = null;

  constructor() {
    super();
    this.session = null;
    this.signInError = "";
    this.busy = false;
    this.path = currentPath();
    this.announcement = "";
  }

  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener("hashchange", this.onHashChange);
    const key = sessionStorage.getItem(KEY_STORAGE);
    if (key) void this.signIn(key, true);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener("hashchange", this.onHashChange);
  }

  /** In-app navigation (links, views' navigate()): asks first when edits would be lost. */
  readonly navigate = async (path: string): Promise<void> => {
    if (path === this.path) return;
    if (hasUnsavedChanges() && !(await this.confirmLeave())) return;
    discardUnsavedChanges();
    location.hash = `#${path}`;
  };

  private readonly onHashChange = async () => {
    const next = currentPath();
    if (next === this.shownPath) return;
    if (hasUnsavedChanges()) {
      // Back/Forward or a typed URL: the hash has moved already; put it back unless the user chooses to leave.
      history.pushState(null, "", `#${this.shownPath}`);
      if (!(await this.confirmLeave())) return;
      discardUnsavedChanges();
      history.pushState(null, "", `#${next}`);
    }
    this.path = next;
  };

  private confirmLeave(): Promise<boolean> {
    return confirmDialog({
      title: "Leave without saving?",
      body: "Your edits on this page are not saved yet. Leaving discards them.",
      confirmLabel: "Leave and discard",
      cancelLabel: "Stay on this page",
      danger: true,
    });
  }

  private async signIn(key: string, silent = false): Promise<void> {
    this.busy = true;
    this.signInError = "";
    const api = new StudioApi(key);
    try {
      const me = await api.get<{ name: string; role: Role }>("/v1/me");
      if (me.role === "ingest") throw new ApiProblem(403, "This is an ingest key (for the course player's backend): sign in with an author, analyst or admin key.");
      sessionStorage.setItem(KEY_STORAGE, key);
      this.session = { api, name: me.name, role: me.role };
      if (!matchRoute(this.path)) location.replace(`#${HOME}`);
    } catch (error) {
      const problem = error instanceof ApiProblem ? error : new ApiProblem(0, String(error));
      // A refused key is forgotten; an engine that is briefly unreachable is not a reason to retype it.
      if (problem.status === 401 || problem.status === 403) sessionStorage.removeItem(KEY_STORAGE);
      if (!silent || problem.status !== 401) {
        this.signInError = problem.status === 401 ? "This key was not accepted: check it, or ask an admin for a new one." : problem.detail;
      }
    } finally {
      this.busy = false;
    }
  }

  private async signOut(): Promise<void> {
    if (hasUnsavedChanges() && !(await this.confirmLeave())) return;
    discardUnsavedChanges();
    sessionStorage.removeItem(KEY_STORAGE);
    this.session = null;
    this.view = null;
  }

  override render(): TemplateResult {
    return html`
      <a class="skip-link" href="#main" @click=${(e: Event) => {
        e.preventDefault();
        this.querySelector<HTMLElement>("#main")?.focus();
      }}>Skip to content</a>
      <header class="app-header">
        <p class="app-name">Coaching studio</p>
        ${
          this.session
            ? html`<div class="who">
          <span>Signed in as <strong>${this.session.name}</strong>, role <strong class="role-badge">${this.session.role}</strong>${this.session.role === "analyst" ? html` <span class="hint">(read-only)</span>` : nothing}</span>
          <button type="button" class="secondary" @click=${() => this.signOut()}>Sign out</button>
        </div>`
            : nothing
        }
      </header>
      ${this.session ? this.renderNav(this.session.role) : nothing}
      <main id="main" tabindex="-1">${this.session ? html`<div id="view-host"></div>` : this.renderSignIn()}</main>
      <div class="visually-hidden" role="status" aria-live="polite">${this.announcement}</div>`;
  }

  private renderNav(role: Role): TemplateResult {
    const section = matchRoute(this.path)?.route.section;
    return html`<nav aria-label="Studio"><ul class="nav">
      ${NAV.filter((n) => !n.roles || n.roles.includes(role)).map(
        (n) => html`<li><a href="#${n.path}" aria-current=${n.section === section ? "page" : nothing}
        @click=${(e: MouseEvent) => {
          if (e.ctrlKey || e.metaKey || e.shiftKey) return;
          e.preventDefault();
          void this.navigate(n.path);
        }}>${n.label}</a></li>`,
      )}
    </ul></nav>`;
  }

  private renderSignIn(): TemplateResult {
    const submit = (e: Event) => {
      e.preventDefault();
      const input = this.querySelector<HTMLInputElement>("#api-key");
      if (input?.value.trim()) void this.signIn(input.value.trim());
      else this.signInError = "Enter your API key.";
    };
    return html`<section class="sign-in card">
      <h1>Sign in</h1>
      <p>Use your studio API key (role author, analyst or admin). It stays in this browser tab only and is sent only to this engine.</p>
      <form @submit=${submit} novalidate>
        <label for="api-key">API key</label>
        <input id="api-key" type="password" autocomplete="off" spellcheck="false" aria-invalid=${this.signInError ? "true" : "false"}
          aria-describedby=${this.signInError ? "api-key-error" : nothing}>
        ${this.signInError ? html`<p class="field-error" id="api-key-error">${this.signInError}</p>` : nothing}
        <button type="submit" class="primary" ?disabled=${this.busy}>${this.busy ? "Signing in…" : "Sign in"}</button>
      </form>
    </section>`;
  }

  protected override updated(): void {
    if (this.session) this.mountView(this.session);
  }

  /** Shows the view the path names: the same element gets new params, another tag a new element. */
  private mountView(session: Session): void {
    const host = this.querySelector("#view-host");
    if (!host) return;
    const match = matchRoute(this.path);
    if (!match) {
      host.replaceChildren(Object.assign(document.createElement("p"), { textContent: "There is no such page in the studio." }));
      this.view = null;
      return;
    }
    if (this.shownPath === this.path && this.view?.isConnected) return;
    const params = { ...queryOf(this.path), ...match.params };
    const reuse = this.view && this.view.isConnected && this.view.localName === match.route.tag;
    const view = reuse ? this.view! : (document.createElement(match.route.tag) as ViewElement);
    Object.assign(view, { api: session.api, role: session.role, params, navigate: (p: string) => void this.navigate(p) });
    if (!reuse) host.replaceChildren(view);
    const moved = this.shownPath !== "" && this.shownPath !== this.path;
    this.view = view;
    this.shownPath = this.path;
    document.title = `${match.route.title}${match.params.key ? `: ${match.params.key}` : match.params.learnerId ? `: ${match.params.learnerId}` : ""} · Coaching studio`;
    if (moved) {
      this.announcement = document.title;
      this.querySelector<HTMLElement>("#main")?.focus({ preventScroll: false });
    }
  }
}

function currentPath(): string {
  const hash = location.hash.replace(/^#/, "");
  return hash.startsWith("/") ? hash : HOME;
}

if (!customElements.get("studio-app")) customElements.define("studio-app", StudioApp);
