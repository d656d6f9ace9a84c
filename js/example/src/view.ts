// Small DOM helpers: the page writes text with textContent only (values come from the chain and the API).
export function $(id: string): HTMLElement {
  const element = document.getElementById(id);
  if (!element) throw new Error(`#${id} is missing from index.html`);
  return element;
}

export function el(tag: string, text?: string, className?: string): HTMLElement {
  const element = document.createElement(tag);
  if (text !== undefined) element.textContent = text;
  if (className) element.className = className;
  return element;
}

export function table(rows: (string | number)[][], header?: string[]): HTMLTableElement {
  const t = document.createElement("table");
  if (header) {
    const tr = t.createTHead().insertRow();
    for (const cell of header) tr.appendChild(el("th", cell));
  }
  const body = t.createTBody();
  for (const row of rows) {
    const tr = body.insertRow();
    for (const cell of row) tr.insertCell().textContent = String(cell);
  }
  return t;
}

export function status(text: string, error = false): void {
  const line = $("status");
  line.textContent = text;
  line.className = error ? "error" : "";
}

export const percent = (bps: bigint | number) => `${(Number(bps) / 100).toFixed(2)} %`;
