import { describe, expect, test } from "bun:test";
import { decodeRecord, type LinkEvent } from "../../src/events";
import { encodeRecord } from "../../src/events/event-records";

const UA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
const click = (i: number, extra: Partial<LinkEvent> = {}): LinkEvent => ({
  event_id: `1-0-boot-${i.toString(36)}`,
  type: "read",
  status: i % 5 === 0 ? "NOT_FOUND" : "OK",
  node: "ringlink-1",
  redis: null,
  db: null,
  short_code: `c${i % 13}`,
  latency_ms: 0.0123 + i,
  ts: 1_764_000_000_000 + i * 7,
  cache: "HIT",
  source: "l1",
  referrer: i % 2 ? "https://news.example.org/a?b=c" : null,
  user_agent: i % 3 ? UA : null,
  country: i % 4 ? "DE" : null,
  visitor: i % 2 ? `v${i}` : null,
  ...extra,
});

describe("event records", () => {
  test("clicks survive the table format field for field, and cost far fewer bytes than JSON lines", () => {
    const events = Array.from({ length: 500 }, (_, i) => click(i));
    const value = encodeRecord(events);
    const decoded = decodeRecord(value);
    expect(decoded.malformed).toBe(0);
    expect(decoded.events).toEqual(events.map((e) => ({ ...e, latency_ms: Math.round(e.latency_ms * 1000) / 1000, url: undefined })));
    const jsonLines = events.map((e) => JSON.stringify(e)).join("\n");
    expect(value.length).toBeLessThan(jsonLines.length / 3);
  });

  test("other events (link.created) go as a list of objects", () => {
    const created: LinkEvent = {
      event_id: "w1",
      type: "write",
      status: "OK",
      node: "n",
      redis: null,
      db: "shard-0",
      short_code: "abc",
      latency_ms: 2,
      ts: 5,
      url: "https://example.com/",
    };
    expect(decodeRecord(encodeRecord([created]))).toEqual({ events: [created], malformed: 0 });
  });

  test("a record of one plain event (an older producer) reads as that event", () => {
    const e = click(1);
    expect(decodeRecord(Buffer.from(JSON.stringify(e)))).toEqual({ events: [e], malformed: 0 });
  });

  test("damaged entries are skipped and counted, the rest of the record still counts", () => {
    const value = JSON.parse(encodeRecord([click(1), click(2), click(3)]));
    value.e[0][6] = 999; // status points outside the dictionary
    value.e[1] = "not a row";
    expect(decodeRecord(JSON.stringify(value))).toMatchObject({ malformed: 2, events: [{ event_id: click(3).event_id }] });
    for (const junk of ["", "not json", "[1,2]", '{"v":2}', '{"v":7}', "null"]) expect(decodeRecord(junk).events).toEqual([]);
    expect(decodeRecord(null).malformed).toBe(1);
  });
});
