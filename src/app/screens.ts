/**
 * Screen layouts as pure functions of the state and the panel geometry, so that a
 * 16x2 and a 20x4 panel both say the right thing and tests can check the text.
 * Character panels show English (DESIGN: Chinese goes to receipts and graphic panels).
 */

export interface Geometry {
  cols: number;
  rows: number;
}

export function center(text: string, cols: number): string {
  const t = text.length > cols ? text.slice(0, cols) : text;
  const left = Math.floor((cols - t.length) / 2);
  return ' '.repeat(left) + t;
}

/** Left text and right text on one row, the right one flush right. */
export function spread(left: string, right: string, cols: number): string {
  const gap = cols - left.length - right.length;
  return gap >= 1 ? left + ' '.repeat(gap) + right : (left + ' ' + right).slice(0, cols);
}

function fit(lines: string[], g: Geometry): string[] {
  return lines.slice(0, g.rows).map((l) => l.slice(0, g.cols));
}

export function twoDigits(n: number): string {
  return String(n).padStart(2, '0');
}

/** The idle screen: who the merchant is, that the terminal is ready, and the time. */
export function idleScreen(g: Geometry, s: { merchant: string; now: Date; prompt: string; ready: string }): string[] {
  const d = s.now;
  const date = `${d.getFullYear()}-${twoDigits(d.getMonth() + 1)}-${twoDigits(d.getDate())}`;
  const time = `${twoDigits(d.getHours())}:${twoDigits(d.getMinutes())}`;
  if (g.rows >= 4) return fit([center(s.merchant, g.cols), center(s.ready, g.cols), center(s.prompt, g.cols), spread(date, time, g.cols)], g);
  if (g.rows === 3) return fit([center(s.merchant, g.cols), center(s.ready, g.cols), spread(date, time, g.cols)], g);
  if (g.rows === 2) return fit([center(s.merchant, g.cols), spread(s.ready, time, g.cols)], g);
  return fit([spread(s.ready, time, g.cols)], g);
}

/** Shown while the power-on self test runs. */
export function bootScreen(g: Geometry, s: { version: string; title: string }): string[] {
  return fit([center(s.title, g.cols), center(`v${s.version}`, g.cols)], g);
}

/**
 * Out of service: says so on the first row, then which device failed, so that a
 * technician at the counter sees at once what to look at.
 */
export function outOfServiceScreen(g: Geometry, s: { failures: { device: string; error: string }[]; title: string; more: (n: number) => string }): string[] {
  const first = s.failures[0];
  const lines = [center(s.title, g.cols)];
  if (first) {
    lines.push(`${first.device}: ${first.error}`.slice(0, g.cols));
    if (g.rows >= 3) lines.push(first.error.slice(Math.max(0, g.cols - first.device.length - 2), Math.max(0, g.cols - first.device.length - 2) + g.cols));
    if (s.failures.length > 1 && g.rows >= 4) lines.push(s.more(s.failures.length - 1));
  }
  return fit(lines, g);
}

/** The terminal cannot take payments until configured: says so, how many settings are missing, and where to look. */
export function notConfiguredScreen(g: Geometry, s: { title: string; count: string; hint: string }): string[] {
  return fit([center(s.title, g.cols), center(s.count, g.cols), center(s.hint, g.cols)], g);
}

/** A title row (centred) then the body rows, cut to the panel. */
export function titled(g: Geometry, title: string, body: readonly string[]): string[] {
  return fit([center(title, g.cols), ...body], g);
}

/** Right-aligns `text` in the row (amounts). */
export function right(text: string, cols: number): string {
  return text.length >= cols ? text.slice(0, cols) : ' '.repeat(cols - text.length) + text;
}

/**
 * A page of a numbered list: `perPage` items, each "N TEXT". `global`: numbers run over the
 * whole list (a list of up to 9); otherwise they restart at 1 on each page.
 */
export function listPage(items: readonly string[], page: number, perPage: number, global: boolean): string[] {
  const start = page * perPage;
  return items.slice(start, start + perPage).map((text, i) => `${global ? start + i + 1 : i + 1} ${text}`);
}

/** The idle screen of a signed-in terminal: merchant, ready (or training), operator, date and time. */
export function signedInIdleScreen(g: Geometry, s: { merchant: string; now: Date; status: string; operator: string }): string[] {
  const d = s.now;
  const date = `${d.getFullYear()}-${twoDigits(d.getMonth() + 1)}-${twoDigits(d.getDate())}`;
  const time = `${twoDigits(d.getHours())}:${twoDigits(d.getMinutes())}`;
  if (g.rows >= 4) return fit([center(s.merchant, g.cols), center(s.status, g.cols), s.operator, spread(date, time, g.cols)], g);
  if (g.rows === 3) return fit([center(s.merchant, g.cols), spread(s.status, s.operator, g.cols), spread(date, time, g.cols)], g);
  if (g.rows === 2) return fit([center(s.merchant, g.cols), spread(s.status, time, g.cols)], g);
  return fit([spread(s.status, time, g.cols)], g);
}
