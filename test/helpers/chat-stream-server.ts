// A gateway stand-in for `upstream: live` tests: every request gets an OpenAI-style chat stream of
// `chunks` content chunks (`gapMs` apart, or all at once), a stop chunk and [DONE].
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export function chatChunk(delta: Record<string, string>, finish: string | null): string {
  const body = { id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta, finish_reason: finish }] };
  return `data: ${JSON.stringify(body)}\n\n`;
}

export async function startChatStreamServer(o: { chunks: number; gapMs?: number }): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      let i = 0;
      const next = () => {
        while (i < o.chunks) {
          res.write(chatChunk({ content: `t${i++} ` }, null));
          if (o.gapMs) return void setTimeout(next, o.gapMs);
        }
        res.write(chatChunk({}, 'stop'));
        res.end('data: [DONE]\n\n');
      };
      next();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
