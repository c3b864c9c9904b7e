/**
 * Message bodies arrive as HTML: the engine escapes learner and event data, and only staff-written template text
 * may carry markup. Defence in depth all the same: only a few inline and list tags survive, links only with
 * http(s) or relative URLs, and no attribute but href.
 */
const ALLOWED = new Set(["B", "STRONG", "I", "EM", "U", "P", "BR", "UL", "OL", "LI", "CODE", "A", "SPAN", "SMALL"]);

/** A DocumentFragment holding the sanitized body. */
export function sanitizeBody(html: string): DocumentFragment {
  const template = document.createElement("template");
  template.innerHTML = html;
  clean(template.content);
  return template.content;
}

function clean(node: ParentNode): void {
  for (const child of [...node.childNodes]) {
    if (child.nodeType === Node.TEXT_NODE) continue;
    if (child.nodeType !== Node.ELEMENT_NODE) {
      child.remove();
      continue;
    }
    const el = child as Element;
    if (!ALLOWED.has(el.tagName)) {
      // Unknown elements keep their text (a <div> becomes its content); scripts and styles go entirely.
      if (el.tagName === "SCRIPT" || el.tagName === "STYLE" || el.tagName === "TEMPLATE") el.remove();
      else el.replaceWith(...[...el.childNodes].map((n) => n));
      clean(node);
      return;
    }
    for (const attr of [...el.attributes]) {
      if (!(el.tagName === "A" && attr.name === "href" && isSafeUrl(attr.value))) el.removeAttribute(attr.name);
    }
    if (el.tagName === "A") {
      el.setAttribute("rel", "noopener noreferrer");
      el.setAttribute("target", "_blank");
    }
    clean(el);
  }
}

/** http(s) and relative URLs only: never javascript: or data:. */
export function isSafeUrl(url: string): boolean {
  const trimmed = url.trim();
  if (/^(https?:)?\/\//i.test(trimmed)) return true;
  return !/^[a-z][a-z0-9+.-]*:/i.test(trimmed);
}
