// A third-party-style passthrough proxy for OpenAI-compatible providers, built on node:http: it
// reads the provider and its upstream base URL from request headers (as header-addressed gateways
// do), adds the provider's credential, forwards the client's body untouched and streams each
// upstream read back as it arrives. With a `defect`, it breaks the stream in one named way.
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export type Defect = 'dropped-usage' | 'split-terminal' | 'done-after-error' | 'buffering' | 'non-json-payload' | 'duplicated-tool-call-id';

/** The target profile that addresses this proxy (upstream: header; the model as the cassette names it). */
export const PROXY_PROFILE = `name: test-passthrough-proxy
golden: passthrough
upstream: header
providers:
  "*":
    model: "{model}"
    headers:
      x-proxy-provider: "{provider}"
      x-proxy-upstream: "{upstream}"
`;

/** How the proxy reaches each provider: the path for a model, and the credential headers (fake). */
function route(provider: string, model: string): { path: string; headers: Record<string, string> } {
  if (provider === 'azure')
    return {
      path: `/openai/deployments/${encodeURIComponent(model)}/chat/completions?api-version=2024-10-21`,
      headers: { 'api-key': 'test-key' },
    };
  const headers: Record<string, string> = { authorization: 'Bearer test-key' };
  if (provider === 'together-helicone') headers['helicone-auth'] = 'Bearer test-helicone-key';
  return { path: '/v1/chat/completions', headers };
}

export interface RunningProxy {
  url: string;
  close(): Promise<void>;
}

export async function startProxy(defect?: Defect): Promise<RunningProxy> {
  const server: Server = createServer((req, res) => {
    void forward(req, res, defect).catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function forward(req: IncomingMessage, res: ServerResponse, defect: Defect | undefined): Promise<void> {
  const parts: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) parts.push(chunk);
  const body = Buffer.concat(parts);
  const provider = String(req.headers['x-proxy-provider'] ?? '');
  const upstream = String(req.headers['x-proxy-upstream'] ?? '');
  const model = String((JSON.parse(body.toString('utf8')) as { model?: unknown }).model ?? '');
  const { path, headers } = route(provider, model);
  const up = await new Promise<IncomingMessage>((resolve, reject) => {
    const r = httpRequest(`${upstream}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers } }, resolve);
    r.on('error', reject);
    r.end(body);
  });
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(up.headers))
    if (v !== undefined && !['content-length', 'transfer-encoding', 'connection'].includes(k)) out[k] = v;
  res.writeHead(up.statusCode ?? 502, out);
  res.flushHeaders();
  if (defect === undefined) {
    // Each upstream read is written as it arrives: split events and split [DONE]s stay split.
    for await (const chunk of up as AsyncIterable<Buffer>) res.write(chunk);
    res.end();
    return;
  }
  if (defect === 'buffering') {
    const all: Buffer[] = [];
    for await (const chunk of up as AsyncIterable<Buffer>) all.push(chunk);
    res.end(Buffer.concat(all));
    return;
  }
  // The other defects rewrite whole events.
  const state: EventState = { toolIds: [], sentNonJson: false };
  let pending = '';
  for await (const chunk of up as AsyncIterable<Buffer>) {
    pending += chunk.toString('utf8');
    const blocks = pending.split(/\r?\n\r?\n/);
    pending = blocks.pop() ?? '';
    for (const block of blocks) for (const b of rewrite(block, defect, state)) res.write(`${b}\n\n`);
  }
  if (pending.trim() !== '') res.write(pending);
  res.end();
}

interface EventState {
  toolIds: string[];
  sentNonJson: boolean;
}

/** One event block through a defect: zero, one or more blocks out. */
function rewrite(block: string, defect: Defect, state: EventState): string[] {
  const data = /^data: ?(.*)$/m.exec(block)?.[1];
  if (data === undefined) return [block];
  if (data === '[DONE]') return defect === 'split-terminal' ? [block, 'data: [DONE]'] : [block];
  let chunk: Record<string, unknown>;
  try {
    chunk = JSON.parse(data) as Record<string, unknown>;
  } catch {
    return [block];
  }
  switch (defect) {
    case 'dropped-usage': {
      if (chunk['usage'] === undefined || chunk['usage'] === null) return [block];
      if (Array.isArray(chunk['choices']) && chunk['choices'].length === 0) return [];
      return [`data: ${JSON.stringify({ ...chunk, usage: null })}`];
    }
    case 'done-after-error':
      return chunk['error'] !== undefined ? [block, 'data: [DONE]'] : [block];
    case 'non-json-payload':
      if (state.sentNonJson) return [block];
      state.sentNonJson = true;
      return ['data: {"choices": [ keep-alive', block];
    case 'duplicated-tool-call-id': {
      // The second tool call gets the first one's id.
      const choices = (chunk['choices'] ?? []) as { delta?: { tool_calls?: { index: number; id?: string }[] } }[];
      for (const tc of choices[0]?.delta?.tool_calls ?? []) {
        if (tc.id === undefined) continue;
        state.toolIds.push(tc.id);
        if (state.toolIds.length > 1) tc.id = state.toolIds[0];
      }
      return [`data: ${JSON.stringify(chunk)}`];
    }
    default:
      return [block];
  }
}
