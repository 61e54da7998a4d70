// Small DOM helpers for the views.

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  for (const c of children) e.append(c);
  return e;
}

export function hex(n: number, digits = 8): string {
  return "0x" + (n >>> 0).toString(16).padStart(digits, "0");
}

/** Replaces a table body's rows only when the text changed (no flicker, no layout churn). */
export function fillBody(body: HTMLTableSectionElement, rows: string[][], key: { last: string }): void {
  const text = rows.map((r) => r.join("\u0001")).join("\u0002");
  if (text === key.last) return;
  key.last = text;
  body.replaceChildren(...rows.map((r) => el("tr", {}, ...r.map((c) => el("td", {}, c)))));
}
