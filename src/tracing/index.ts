export {
  REDIRECT_SPAN,
  SpanStatusCode,
  activeTraceparent,
  contextFrom,
  inSpan,
  startContinuedSpan,
  startRedirectSpan,
  tracingEnabled,
  tracingState,
  withSpan,
  type Attributes,
  type Span,
} from "./tracing";
export { startTracing, type StopTracing } from "./start-tracing";
