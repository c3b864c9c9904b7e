/**
 * What every studio view element shares: the ViewContext properties the shell sets (api, role, params,
 * navigate), light DOM (one stylesheet for the whole studio, and CodeMirror measures itself in the document),
 * and whether the role may change content.
 */
import { LitElement } from "lit";
import { canWrite, type Role, type StudioApi } from "../api";

export class StudioView extends LitElement {
  static override properties = {
    api: { attribute: false },
    role: { attribute: false },
    params: { attribute: false },
    navigate: { attribute: false },
  };

  declare api: StudioApi;
  declare role: Role;
  declare params: Record<string, string>;
  declare navigate: (path: string) => void;

  constructor() {
    super();
    this.params = {};
  }

  /** Light DOM: the studio's stylesheet applies, and ids referenced by aria-* attributes resolve. */
  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  /** True when the signed-in role may change content (author, admin). */
  get writable(): boolean {
    return canWrite(this.role);
  }
}
