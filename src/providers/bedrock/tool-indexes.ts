// Content-block index → OpenAI tool-call index, shared by both Bedrock decoders: OpenAI counts
// tool calls only, Bedrock and Claude count every content block.
import type { CanonicalEvent } from '../../canonical/events.ts';
import type { DecoderContext } from '../types.ts';

export class ToolIndexes {
  private readonly byBlock = new Map<number, number>();

  /** A new tool call for a content block: the next OpenAI tool-call index. */
  add(block: number): number {
    const index = this.byBlock.size;
    this.byBlock.set(block, index);
    return index;
  }

  /** The call of a block; input for a block whose start never came still becomes one call. */
  of(block: number, out: CanonicalEvent[], context: DecoderContext): number {
    let index = this.byBlock.get(block);
    if (index === undefined) {
      index = this.add(block);
      out.push({ type: 'tool-call-start', choice: 0, index, id: context.newId('call_'), name: '' });
    }
    return index;
  }
}
