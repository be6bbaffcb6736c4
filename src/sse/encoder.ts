// Writes events back to text/event-stream bytes. The one writer for everything the gateway
// sends, so an event is always emitted whole (never interleaved with a heartbeat).

export interface SseOutgoingEvent {
  event?: string;
  data: string;
  id?: string;
}

const LINE_BREAK = /\r\n|\r|\n/;

/** One event as text, ending with the blank line that dispatches it. */
export function encodeSseEvent(ev: SseOutgoingEvent): string {
  let out = '';
  if (ev.event !== undefined) out += `event: ${ev.event}\n`;
  if (ev.id !== undefined) out += `id: ${ev.id}\n`;
  // A line break inside data must become a new data line, or it would end the field.
  if (LINE_BREAK.test(ev.data)) {
    for (const line of ev.data.split(LINE_BREAK)) out += `data: ${line}\n`;
  } else {
    out += `data: ${ev.data}\n`;
  }
  return out + '\n';
}

/** A comment line on its own, followed by a blank line: what keep-alives look like on the wire. */
export function encodeSseComment(text: string): string {
  return `: ${text.replace(/[\r\n]+/g, ' ')}\n\n`;
}
