import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { errorBody } from './engine/openai-response.js';

/** Largest request body accepted, bytes (a 128k-token prompt is well under this). */
export const MAX_BODY_BYTES = 32 * 1024 * 1024;

/**
 * Read a request body; rejects with status 413 past `limit` — at once when Content-Length
 * already says so, else when the bytes pass it. The rest of the body is discarded rather than
 * the connection reset, so the client reads the 413 (sent with `Connection: close`).
 */
export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const tooLarge = (): void => {
      reject(Object.assign(new Error(`request body larger than ${limit} bytes`), { status: 413 }));
    };
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      req.resume();
      tooLarge();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (c: Buffer): void => {
      size += c.length;
      if (size > limit) {
        req.off('data', onData);
        chunks.length = 0;
        req.resume();
        tooLarge();
        return;
      }
      chunks.push(c);
    };
    req.on('data', onData);
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Send a JSON body. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** Send an OpenAI-style error. */
export function sendError(res: ServerResponse, status: number, message: string, param: string | null = null): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  // After a 413 the rest of the body is not worth reading: the connection closes after the answer.
  sendJson(res, status, errorBody(status, message, param), status === 413 ? { connection: 'close' } : {});
}

/**
 * A percent-decoded path segment, or undefined when it is malformed (`%E0%A4%A`): a 400 for the
 * caller, never a URIError (a 500).
 */
export function decodeSegment(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}

/** Answer 405 with the methods a path allows (RFC 9110 §15.5.6: an Allow header). */
export function sendMethodNotAllowed(res: ServerResponse, method: string | undefined, path: string, allowed: readonly string[]): void {
  const text = JSON.stringify(errorBody(405, `method ${method ?? '?'} not allowed on ${path}; allowed: ${allowed.join(', ')}`, null));
  res.writeHead(405, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), allow: allowed.join(', ') }).end(text);
}

/** Parse a JSON body, or answer 400 like vLLM does for malformed JSON and return undefined. */
export function parseJsonBody(raw: Buffer, res: ServerResponse): unknown {
  try {
    return JSON.parse(raw.toString('utf8')) as unknown;
  } catch (e) {
    sendError(res, 400, `malformed JSON body: ${(e as Error).message}`);
    return undefined;
  }
}

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/**
 * A bearer-token check in constant time (vLLM's --api-key semantics: `Authorization: Bearer
 * <key>`). Returns a function answering whether a request carries the key.
 */
export function bearerCheck(apiKey: string | undefined): (req: IncomingMessage) => boolean {
  if (apiKey === undefined || apiKey === '') return () => true;
  const want = digest(`Bearer ${apiKey}`);
  return (req) => {
    const got = req.headers.authorization;
    return typeof got === 'string' && timingSafeEqual(digest(got), want);
  };
}

/** Keeps the open sockets of a server so a crash or shutdown can cut them. */
export function trackSockets(server: Server): Set<Socket> {
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  return sockets;
}

/** Listen and resolve to the bound port (0 picks an ephemeral one). */
export function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error): void => reject(e);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      const addr = server.address();
      resolve(typeof addr === 'object' && addr ? addr.port : port);
    });
  });
}

/** Close a server, cutting idle and active connections. */
export function closeServer(server: Server, sockets: Set<Socket>): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) {
      for (const s of sockets) s.destroy();
      resolve();
      return;
    }
    server.close(() => resolve());
    for (const s of sockets) s.destroy();
  });
}

/** A URL host part for an address (IPv6 in brackets). */
export function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
