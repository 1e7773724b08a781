/**
 * Which requests get a link's preview page: link-preview crawlers, recognised by the maintained
 * `isbot` list (is it automation at all?) and then by a short list of the previewers of chat apps
 * and social networks (is it one that renders a card?). Search engines and other bots fall through
 * to the ordinary redirect, so a link's preview never replaces its target in a search index.
 *
 * iMessage announces itself as "facebookexternalhit/1.1 Facebot Twitterbot/1.0", Microsoft Teams
 * and Skype as SkypeUriPreview, Signal fetches through the sender's device (no crawler to answer).
 */
import { isbot } from "isbot";

export const PREVIEW_CRAWLER_FAMILIES: ReadonlyArray<readonly [string, RegExp]> = [
  ["slack", /\bslackbot|\bslack-imgproxy/i],
  ["discord", /\bdiscordbot/i],
  ["facebook", /\bfacebookexternalhit|\bfacebot\b|\bmeta-externalagent/i],
  ["linkedin", /\blinkedinbot/i],
  // before twitter: Telegram says "TelegramBot (like TwitterBot)"
  ["telegram", /\btelegrambot/i],
  ["twitter", /\btwitterbot/i],
  ["whatsapp", /\bwhatsapp\//i],
  ["apple", /\bapplebot/i],
  ["microsoft", /\bskypeuripreview|\bmicrosoftpreview|\bteams\b.*\bpreview/i],
  ["pinterest", /\bpinterest(?:bot)?\//i],
  ["reddit", /\bredditbot/i],
  ["mastodon", /\bmastodon\//i],
  ["bluesky", /\bcardyb\b/i],
  ["vk", /\bvkshare\b/i],
  ["embedly", /\bembedly\b|\biframely\b/i],
];

const ANY_PREVIEWER = new RegExp(PREVIEW_CRAWLER_FAMILIES.map(([, re]) => re.source).join("|"), "i");

/** The previewer family of a user agent, or null for people and for bots that render no card. */
export function previewCrawlerFamily(userAgent: string | null): string | null {
  if (userAgent === null || !isPreviewCrawler(userAgent)) return null;
  for (const [family, re] of PREVIEW_CRAWLER_FAMILIES) if (re.test(userAgent)) return family;
  return null;
}

export function isPreviewCrawler(userAgent: string | null): boolean {
  return userAgent !== null && userAgent !== "" && ANY_PREVIEWER.test(userAgent) && isbot(userAgent);
}
