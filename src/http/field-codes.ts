/** The error code a failed field or query parameter answers with, e.g. /maxClicks -> invalid_max_clicks. */
const FIELD_CODES: Record<string, string> = {
  url: "invalid_url",
  long_url: "invalid_url",
  alias: "invalid_alias",
  expiresAt: "invalid_expiry",
  maxClicks: "invalid_max_clicks",
  redirectType: "invalid_redirect_type",
  reuse: "invalid_reuse",
  limit: "invalid_limit",
  cursor: "invalid_cursor",
  password: "invalid_password",
  forwardQuery: "invalid_forward_query",
  tags: "invalid_tags",
  utm: "invalid_utm",
  disabled: "invalid_disabled",
  links: "invalid_bulk",
  tag: "invalid_tag",
  q: "invalid_query",
  format: "invalid_format",
  size: "invalid_size",
  from: "invalid_from",
  to: "invalid_to",
  interval: "invalid_interval",
  top: "invalid_top",
  code: "invalid_code",
  rules: "invalid_rules",
  variants: "invalid_variants",
  preview: "invalid_preview",
  domain: "invalid_domain",
  host: "invalid_domain",
};

export function fieldErrorCode(field: string | undefined): string {
  return (field !== undefined && FIELD_CODES[field]) || "invalid_request";
}
