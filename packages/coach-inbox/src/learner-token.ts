/**
 * Learner tokens as the widget sees them: `lt1.<base64url JSON {sub, exp}>.<signature>`. The widget reads the
 * learner id and expiry (it cannot and need not verify the signature: the engine does), so it knows whose inbox
 * to open and when to ask the page for a fresh token.
 */
export interface TokenClaims {
  learnerId: string;
  expiresAt: number;
}

/** The claims of a learner token, or null when it is not one. */
export function readLearnerToken(token: string): TokenClaims | null {
  const [prefix, payload] = token.split(".");
  if (prefix !== "lt1" || !payload) return null;
  try {
    const json = atob(payload.replace(/-/g, "+").replace(/_/g, "/"));
    const { sub, exp } = JSON.parse(json) as { sub?: unknown; exp?: unknown };
    if (typeof sub !== "string" || typeof exp !== "number") return null;
    return { learnerId: sub, expiresAt: exp * 1000 };
  } catch {
    return null;
  }
}

/** Where tokens come from: a fixed one, or the page's function that fetches a fresh one from its backend. */
export type TokenProvider = () => Promise<string>;

/** Hands out a valid token, refreshing through the provider a minute before expiry or after a 401. */
export class TokenSource {
  private current: string | null = null;
  private pending: Promise<string> | null = null;

  constructor(
    private fixed: string | null,
    private provider: TokenProvider | null,
  ) {
    this.current = fixed;
  }

  /** A token that is not about to expire (the provider is asked at most once at a time). */
  async get(): Promise<string> {
    const claims = this.current ? readLearnerToken(this.current) : null;
    if (this.current && (!this.provider || (claims && claims.expiresAt - Date.now() > 60_000))) return this.current;
    return this.refresh();
  }

  /** Forces a fresh token (after a 401); without a provider, the fixed token is all there is. */
  async refresh(): Promise<string> {
    if (!this.provider) {
      if (!this.fixed) throw new Error("coach-inbox needs a token or a tokenProvider");
      return this.fixed;
    }
    this.pending ??= this.provider().then(
      (token) => {
        this.current = token;
        this.pending = null;
        return token;
      },
      (error: unknown) => {
        this.pending = null;
        throw error;
      },
    );
    return this.pending;
  }
}
