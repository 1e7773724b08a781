/** The README's receiver example runs as written: it accepts a signed delivery and refuses a forged one. */
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { newWebhookSecret, signWebhook } from "../../src/webhooks/webhook-signature";

const dir = mkdtempSync(join(tmpdir(), "ringlink-readme-rx-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function receiverFromReadme(): string {
  const readme = readFileSync(join(import.meta.dir, "../../README.md"), "utf8");
  const start = readme.indexOf("```ts\n// receiver.ts");
  expect(start).toBeGreaterThan(0);
  const end = readme.indexOf("\n```", start + 5);
  return readme.slice(start + "```ts\n".length, end + 1);
}

test("the README's receiver verifies a real signature and refuses a wrong one", async () => {
  const file = join(dir, "receiver.ts");
  writeFileSync(file, receiverFromReadme());
  const probe = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response() });
  const port = probe.port as number;
  await probe.stop(true);
  const secret = newWebhookSecret();
  const proc = Bun.spawn(["bun", file], { env: { ...process.env, WEBHOOK_SECRET: secret, PORT: String(port) }, stdout: "pipe", stderr: "pipe" });
  try {
    const reader = proc.stdout.getReader();
    let out = "";
    while (!out.includes("listening")) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`receiver exited: ${await new Response(proc.stderr).text()}`);
      out += new TextDecoder().decode(value);
    }
    const body = JSON.stringify({ type: "link.created", timestamp: new Date().toISOString(), data: { code: "abc1234", url: "https://example.com/" } });
    const ts = Math.floor(Date.now() / 1000);
    const send = (signature: string, timestamp = ts) =>
      fetch(`http://127.0.0.1:${port}/hook`, {
        method: "POST",
        headers: { "content-type": "application/json", "webhook-id": "msg_1", "webhook-timestamp": String(timestamp), "webhook-signature": signature },
        body,
      });
    expect((await send(signWebhook(secret, "msg_1", ts, body))).status).toBe(204);
    // A rolled secret: the header may carry several signatures, one of them good.
    expect((await send(`v1,bm9wZQ== ${signWebhook(secret, "msg_1", ts, body)}`)).status).toBe(204);
    expect((await send(signWebhook(newWebhookSecret(), "msg_1", ts, body))).status).toBe(401);
    expect((await send(signWebhook(secret, "msg_1", ts - 3600, body), ts - 3600)).status).toBe(401);
    const more = await reader.read();
    out += new TextDecoder().decode(more.value);
    expect(out).toContain("link.created abc1234 https://example.com/");
  } finally {
    proc.kill();
    await proc.exited;
  }
});
