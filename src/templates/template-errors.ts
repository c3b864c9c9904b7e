/** Errors raised while rendering a template. */
import { ValidationError } from "../lib/errors";

/**
 * A template could not be rendered for this context: it exceeded the output or loop budget, or the
 * template is broken in a way validation did not catch. A ValidationError because retrying cannot
 * help: preview answers 400, and delivery marks the message failed instead of retrying.
 */
export class TemplateRenderError extends ValidationError {
  constructor(message: string, readonly field?: string) {
    super(message, field ? [{ path: field, message }] : []);
  }
}
