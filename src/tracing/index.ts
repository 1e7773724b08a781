export {
  REDIRECT_SPAN,
  SpanStatusCode,
  activeTraceparent,
  contextFrom,
  inSpan,
  startContinuedSpan,
  startRedirectSpan,
  tracingEnabled,
  withSpan,
  type Attributes,
  type Span,
} from "./tracing";
export { startTracing, type StopTracing } from "./start-tracing";
