import { subscribe, tracingChannel, unsubscribe } from 'node:diagnostics_channel';
import { SpanKind, SpanStatusCode, trace, type Span, type Tracer } from '@opentelemetry/api';
import {
  LIMITER_CHANNEL,
  REQUEST_CHANNEL,
  type LimiterTraceEvent,
  type RequestTraceContext,
} from 'rx-checkpoint-permissions';

/**
 * Turns every HTTP attempt of every client in this process into an OpenTelemetry client span,
 * named and described as the HTTP semantic conventions say, and the limiter's pauses and
 * changes of pace into events on the span of the response that caused them. Returns a function
 * that stops tracing.
 */
export function traceCheckpointPermissions(
  tracer: Tracer = trace.getTracer('rx-checkpoint-permissions'),
): () => void {
  const spans = new WeakMap<RequestTraceContext, Span>();
  // The limiter learns from a response while it is delivered, between asyncStart and asyncEnd.
  let delivering: Span | undefined;

  const requests = tracingChannel<unknown, RequestTraceContext>(REQUEST_CHANNEL);
  const handlers = {
    start(ctx: RequestTraceContext) {
      const url = new URL(ctx.url); // userinfo already hidden: http://***@host/...
      const span = tracer.startSpan(`${ctx.method} ${ctx.route}`, {
        kind: SpanKind.CLIENT,
        attributes: {
          'http.request.method': ctx.method,
          'url.full': ctx.url,
          'url.template': ctx.route,
          'server.address': url.hostname,
          'server.port': Number(url.port) || (url.protocol === 'https:' ? 443 : 80),
          'http.request.resend_count': ctx.attempt - 1,
          'checkpoint_permissions.limiter_wait_ms': ctx.limiterWaitMs,
          ...(ctx.checkpoint === undefined
            ? {}
            : { 'checkpoint_permissions.checkpoint': ctx.checkpoint }),
        },
      });
      spans.set(ctx, span);
    },
    end() {},
    asyncStart(ctx: RequestTraceContext) {
      const span = spans.get(ctx);
      if (!span) return; // started before tracing was turned on
      delivering = span;
      if (ctx.status !== undefined) span.setAttribute('http.response.status_code', ctx.status);
      if (ctx.requestID !== undefined)
        span.setAttribute('checkpoint_permissions.request_id', ctx.requestID);
      if (ctx.error === undefined) return;
      // An HTTP error is named by its status; anything else by the error's class.
      const errorType =
        ctx.status !== undefined && ctx.status >= 400
          ? String(ctx.status)
          : ctx.error instanceof Error
            ? ctx.error.name
            : '_OTHER';
      span.setAttribute('error.type', errorType);
      span.setStatus({ code: SpanStatusCode.ERROR, message: errorType });
    },
    asyncEnd(ctx: RequestTraceContext) {
      const span = spans.get(ctx);
      if (delivering === span) delivering = undefined;
      span?.end();
      spans.delete(ctx);
    },
    error() {}, // the outcome, error included, is read in asyncStart
  };

  const onLimiter = (message: unknown): void => {
    const event = message as LimiterTraceEvent;
    if (event.type === 'pause')
      delivering?.addEvent('checkpoint_permissions.limiter.pause', {
        'checkpoint_permissions.pause_ms': event.ms,
        'checkpoint_permissions.pause_reason': event.reason,
      });
    else
      delivering?.addEvent('checkpoint_permissions.limiter.rate', {
        'checkpoint_permissions.rate_per_second': event.ratePerSecond,
        'checkpoint_permissions.rate_mode': event.mode,
      });
  };

  requests.subscribe(handlers);
  subscribe(LIMITER_CHANNEL, onLimiter);
  return () => {
    requests.unsubscribe(handlers);
    unsubscribe(LIMITER_CHANNEL, onLimiter);
  };
}
