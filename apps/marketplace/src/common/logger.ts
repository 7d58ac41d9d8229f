import type { LoggerService } from '@nestjs/common';
import { pino, type Logger } from 'pino';
import { requestContext } from './request-context.js';

// Paths pino blanks out wherever they appear in a log object. Keys, secrets and card data never
// reach the logs, even when a caller logs a whole request or error by mistake.
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["stripe-signature"]',
  'req.headers["idempotency-key"]',
  'res.headers["set-cookie"]',
  '*.authorization',
  '*.password',
  '*.secret',
  '*.apiKey',
  '*.key',
  '*.token',
  '*.card',
  '*.card_number',
  '*.cardNumber',
  '*.cvc',
];

/**
 * Writes text as it is to the logger's destination, behind the lines already logged (stdout's
 * writes are asynchronous: a console.log would overtake them).
 */
export function writeThroughLogger(logger: Logger, text: string): void {
  const stream = (logger as unknown as Record<symbol, { write(text: string): void } | undefined>)[pino.symbols.streamSym];
  if (stream) stream.write(text.endsWith('\n') ? text : `${text}\n`);
  else process.stdout.write(text);
}

/** Nest token of the process's root pino logger. */
export const ROOT_LOGGER = Symbol('ROOT_LOGGER');

export type LogFormat = 'json' | 'pretty';

/** JSON lines by default; `pretty` (LOG_FORMAT=pretty) turns each line readable for a terminal, same fields. */
export function createRootLogger(level: string, destination?: NodeJS.WritableStream, format: LogFormat = 'json'): Logger {
  const out = destination ?? process.stdout;
  return pino(
    {
      level,
      base: { service: 'marketplace' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      // Every line carries the request id of the request it belongs to, if any.
      mixin() {
        const ctx = requestContext.get();
        return ctx ? { requestId: ctx.requestId, ...(ctx.principalId ? { principalId: ctx.principalId } : {}) } : {};
      },
      formatters: { level: (label) => ({ level: label }) },
    },
    format === 'pretty' ? prettyStream(out) : (destination as pino.DestinationStream | undefined),
  );
}

const LEVEL_LABELS: Record<string, string> = { trace: 'TRACE', debug: 'DEBUG', info: 'INFO ', warn: 'WARN ', error: 'ERROR', fatal: 'FATAL' };
const LEVEL_COLOURS: Record<string, string> = { trace: '90', debug: '90', info: '32', warn: '33', error: '31', fatal: '35' };
const SHOWN_APART = new Set(['level', 'time', 'msg', 'service', 'component', 'context', 'err']);

/**
 * A small formatter instead of a pino transport (no worker thread, nothing to flush at exit):
 * `12:00:01.234 INFO  [postgres] message key=value`, the error's stack on the lines below.
 * Colours only on a terminal without NO_COLOR.
 */
export function prettyStream(out: NodeJS.WritableStream): pino.DestinationStream {
  const colour = Boolean((out as { isTTY?: boolean }).isTTY) && !process.env.NO_COLOR;
  const paint = (code: string, text: string) => (colour ? `\u001b[${code}m${text}\u001b[0m` : text);
  return {
    write(chunk: string) {
      for (const line of chunk.replace(/\n$/, '').split('\n')) {
        let entry: Record<string, unknown>;
        try {
          entry = JSON.parse(line) as Record<string, unknown>;
        } catch {
          out.write(`${line}\n`);
          continue;
        }
        out.write(`${formatPretty(entry, paint)}\n`);
      }
    },
  };
}

export function formatPretty(entry: Record<string, unknown>, paint: (code: string, text: string) => string = (_c, t) => t): string {
  const level = String(entry.level ?? 'info');
  const time = typeof entry.time === 'string' ? entry.time.slice(11, 23) : '';
  const where = entry.component ?? entry.context;
  const fields = Object.entries(entry)
    .filter(([key]) => !SHOWN_APART.has(key))
    .map(([key, value]) => `${key}=${typeof value === 'string' && !/\s/.test(value) ? value : JSON.stringify(value)}`);
  const err = entry.err as { type?: string; message?: string; stack?: string } | undefined;
  return [
    time && paint('90', time),
    paint(LEVEL_COLOURS[level] ?? '0', LEVEL_LABELS[level] ?? level.toUpperCase()),
    where !== undefined && paint('36', `[${String(where)}]`),
    typeof entry.msg === 'string' && entry.msg,
    fields.length > 0 && paint('90', fields.join(' ')),
  ]
    .filter(Boolean)
    .join(' ')
    .concat(err ? `\n    ${(err.stack ?? `${err.type ?? 'Error'}: ${err.message ?? ''}`).split('\n').join('\n    ')}` : '');
}

// Nest's boot chatter (a line per module and per mapped route, ~90 at each start) is debug: the
// service logs its own start. Nest's warnings and errors keep their level.
const FRAMEWORK_CHATTER = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestFactory', 'NestApplication']);

/** Nest's LoggerService on top of pino, so framework messages are structured JSON too. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, context?: string) {
    this.write(context && FRAMEWORK_CHATTER.has(context) ? 'debug' : 'info', message, context);
  }
  error(message: unknown, traceOrContext?: string, context?: string) {
    const ctx = context ?? traceOrContext;
    this.write('error', message, ctx);
  }
  warn(message: unknown, context?: string) {
    this.write('warn', message, context);
  }
  debug(message: unknown, context?: string) {
    this.write('debug', message, context);
  }
  verbose(message: unknown, context?: string) {
    this.write('trace', message, context);
  }
  fatal(message: unknown, context?: string) {
    this.write('fatal', message, context);
  }

  private write(level: 'info' | 'error' | 'warn' | 'debug' | 'trace' | 'fatal', message: unknown, context?: string) {
    if (message instanceof Error) this.logger[level]({ context, err: message }, message.message);
    else if (typeof message === 'object' && message !== null) this.logger[level]({ context, ...message });
    else this.logger[level]({ context }, String(message));
  }
}
