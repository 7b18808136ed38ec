/**
 * Line editing for a serial terminal program (screen, minicom, picocom send raw keys):
 * printable ASCII inserted at the cursor and echoed (or not, for secrets), Backspace
 * (BS or DEL), Ctrl-U erases the line, Ctrl-C cancels it, Ctrl-D on an empty line ends
 * the session, CR, LF or CRLF end a line, arrow keys (ECMA-48 CSI or SS3 forms) move
 * the cursor and walk the history (secret lines never enter it).
 */

export type LineEvent = { type: 'line'; text: string } | { type: 'cancel' } | { type: 'eof' };

const HISTORY_MAX = 50;
const MAX_LINE = 1024;

export class LineEditor {
  #buf = '';
  #cursor = 0;
  #secret = false;
  #prompt = '';
  #history: string[] = [];
  /** Position while walking the history; history.length means "the line being typed". */
  #hIndex = 0;
  #draft = '';
  #afterCr = false;
  /** Escape sequence being read: '' none, 'esc' after ESC, 'csi' inside ESC [ ..., 'ss3' after ESC O. */
  #esc: '' | 'esc' | 'csi' | 'ss3' = '';
  #csiParams = '';

  constructor(private readonly echo: (text: string) => void) {}

  get history(): readonly string[] {
    return this.#history;
  }

  /** Starts a new line: shows the prompt. */
  begin(prompt: string, secret = false): void {
    this.#buf = '';
    this.#cursor = 0;
    this.#secret = secret;
    this.#prompt = prompt;
    this.#hIndex = this.#history.length;
    this.#draft = '';
    this.echo(prompt);
  }

  /** Feeds received bytes; returns the events completed by them (the rest of the bytes after an event stay unread). */
  feed(bytes: Uint8Array): { event?: LineEvent; rest: Uint8Array } {
    for (let i = 0; i < bytes.length; i++) {
      const event = this.#byte(bytes[i]!);
      if (event) return { event, rest: bytes.subarray(i + 1) };
    }
    return { rest: new Uint8Array(0) };
  }

  #byte(b: number): LineEvent | undefined {
    const afterCr = this.#afterCr;
    this.#afterCr = false;
    if (this.#esc !== '') return this.#escape(b);
    switch (b) {
      case 0x0d:
        this.#afterCr = true;
        return this.#finish();
      case 0x0a:
        // The LF of a CRLF ends nothing more; a lone LF ends the line.
        return afterCr ? undefined : this.#finish();
      case 0x08:
      case 0x7f:
        this.#backspace();
        return undefined;
      case 0x15:
        this.#kill();
        return undefined;
      case 0x03:
        this.echo('^C\r\n');
        this.#buf = '';
        this.#cursor = 0;
        return { type: 'cancel' };
      case 0x04:
        if (this.#buf === '') {
          this.echo('\r\n');
          return { type: 'eof' };
        }
        return undefined;
      case 0x1b:
        this.#esc = 'esc';
        return undefined;
      default:
        if (b >= 0x20 && b < 0x7f) this.#insert(String.fromCharCode(b));
        return undefined;
    }
  }

  #escape(b: number): LineEvent | undefined {
    if (this.#esc === 'esc') {
      this.#esc = b === 0x5b ? 'csi' : b === 0x4f ? 'ss3' : '';
      this.#csiParams = '';
      return undefined;
    }
    if (this.#esc === 'csi' && b >= 0x30 && b <= 0x3f) {
      this.#csiParams += String.fromCharCode(b);
      return undefined;
    }
    // ECMA-48 5.4: a final byte 0x40..0x7E ends the sequence; anything else aborts it.
    this.#esc = '';
    if (b < 0x40 || b > 0x7e) return undefined;
    const key = String.fromCharCode(b);
    if (key === 'A') this.#recall(-1);
    else if (key === 'B') this.#recall(1);
    else if (key === 'C' && this.#cursor < this.#buf.length) this.#move(1);
    else if (key === 'D' && this.#cursor > 0) this.#move(-1);
    else if (key === '~' && this.#csiParams === '3') this.#delete();
    else if (key === 'H') this.#move(-this.#cursor);
    else if (key === 'F') this.#move(this.#buf.length - this.#cursor);
    return undefined;
  }

  #finish(): LineEvent {
    const text = this.#buf;
    this.echo('\r\n');
    if (!this.#secret && text.trim() !== '' && this.#history.at(-1) !== text) {
      this.#history.push(text);
      if (this.#history.length > HISTORY_MAX) this.#history.shift();
    }
    this.#buf = '';
    this.#cursor = 0;
    return { type: 'line', text };
  }

  #insert(ch: string): void {
    if (this.#buf.length >= MAX_LINE) return;
    const atEnd = this.#cursor === this.#buf.length;
    this.#buf = this.#buf.slice(0, this.#cursor) + ch + this.#buf.slice(this.#cursor);
    this.#cursor++;
    if (this.#secret) return;
    if (atEnd) this.echo(ch);
    else this.#redraw();
  }

  #backspace(): void {
    if (this.#cursor === 0) return;
    const atEnd = this.#cursor === this.#buf.length;
    this.#buf = this.#buf.slice(0, this.#cursor - 1) + this.#buf.slice(this.#cursor);
    this.#cursor--;
    if (this.#secret) return;
    if (atEnd) this.echo('\b \b');
    else this.#redraw();
  }

  #delete(): void {
    if (this.#cursor >= this.#buf.length) return;
    this.#buf = this.#buf.slice(0, this.#cursor) + this.#buf.slice(this.#cursor + 1);
    if (!this.#secret) this.#redraw();
  }

  #kill(): void {
    this.#buf = '';
    this.#cursor = 0;
    if (!this.#secret) this.#redraw();
  }

  #move(delta: number): void {
    if (delta === 0) return;
    this.#cursor += delta;
    if (!this.#secret) this.echo(delta < 0 ? `\x1b[${-delta}D` : `\x1b[${delta}C`);
  }

  #recall(direction: -1 | 1): void {
    if (this.#secret) return;
    const next = this.#hIndex + direction;
    if (next < 0 || next > this.#history.length) return;
    if (this.#hIndex === this.#history.length) this.#draft = this.#buf;
    this.#hIndex = next;
    this.#buf = next === this.#history.length ? this.#draft : this.#history[next]!;
    this.#cursor = this.#buf.length;
    this.#redraw();
  }

  /** Rewrites the line: CR, prompt, text, erase to end of line (ECMA-48 EL), cursor back into place. */
  #redraw(): void {
    const back = this.#buf.length - this.#cursor;
    this.echo(`\r${this.#prompt}${this.#buf}\x1b[K${back > 0 ? `\x1b[${back}D` : ''}`);
  }
}
