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
  // A line break in a field name's value would start a new field: it cannot be written.
  if (ev.event !== undefined) out += `event: ${singleLine(ev.event)}\n`;
  if (ev.id !== undefined) out += `id: ${singleLine(ev.id)}\n`;
  // A line break inside data must become a new data line, or it would end the field.
  if (LINE_BREAK.test(ev.data)) {
    for (const line of ev.data.split(LINE_BREAK)) out += `data: ${line}\n`;
  } else {
    out += `data: ${ev.data}\n`;
  }
  return `${out}\n`;
}

/** A comment line on its own, followed by a blank line: what keep-alives look like on the wire. */
export function encodeSseComment(text: string): string {
  return `: ${text.replace(/[\r\n]+/g, ' ')}\n\n`;
}

function singleLine(value: string): string {
  if (LINE_BREAK.test(value) || value.includes('\0'))
    throw new Error(`SSE field value must be one line without NUL: ${JSON.stringify(value)}`);
  return value;
}
