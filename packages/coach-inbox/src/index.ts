/** Entry of the bundle: defines <coach-inbox> once, and exports the class for typed use. */
import { CoachInbox } from "./coach-inbox";

export { CoachInbox };
export type { InboxMessage } from "./inbox-client";

if (!customElements.get("coach-inbox")) customElements.define("coach-inbox", CoachInbox);
