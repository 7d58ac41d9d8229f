import { randomUUID } from 'node:crypto';
import { STATUS_CODES, type Server } from 'node:http';
import type { Duplex } from 'node:stream';

// Node's own answers to what its HTTP parser cannot read, as its default clientError handler gives them
const STATUS_BY_PARSER_ERROR: Record<string, [number, string, string]> = {
  HPE_HEADER_OVERFLOW: [431, 'HEADERS_TOO_LARGE', 'The request line and headers are over the 16 KiB limit (a query string that long: send fewer or shorter parameters)'],
  HPE_CHUNK_EXTENSIONS_OVERFLOW: [413, 'PAYLOAD_TOO_LARGE', 'The chunk extensions are too large'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'REQUEST_TIMEOUT', 'The request was not received in time'],
};

/**
 * A request Node's HTTP parser refuses before any route (a head over 16 KiB, malformed HTTP) is
 * answered in the API's error shape, `{ error: { code, message, requestId } }`, rather than Node's
 * bare status line, so a client can branch on the code as everywhere else.
 */
export function answerClientErrorsAsJson(server: Server): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    // a reset connection or one whose response has begun has no one to answer
    if (err.code === 'ECONNRESET' || !socket.writable || (socket as Duplex & { _httpMessage?: unknown })._httpMessage) {
      socket.destroy();
      return;
    }
    const [status, code, message] = STATUS_BY_PARSER_ERROR[err.code ?? ''] ?? [400, 'BAD_REQUEST', 'The request is not valid HTTP'];
    const body = JSON.stringify({ error: { code, message, requestId: randomUUID() } });
    socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  });
}
