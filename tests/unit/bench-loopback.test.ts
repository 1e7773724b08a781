/** Benches send load to this machine only. */
import { expect, test } from "bun:test";
import { assertLoopback } from "../../bench/lib/loopback";

test("loopback addresses and localhost pass", () => {
  for (const url of ["http://127.0.0.1:8080/x", "http://127.1.2.3/", "http://[::1]:9000/", "http://localhost:1234/api"])
    expect(assertLoopback(url).href).toBe(new URL(url).href);
});

test("every other address is refused, private ranges and look-alikes included", () => {
  for (const url of [
    "http://0.0.0.127/",
    "http://10.0.0.1/",
    "http://192.168.1.10:8080/",
    "http://example.com/",
    "http://127.0.0.1.example.com/",
    "http://localhost.example/",
    "http://[::2]/",
    "http://[::ffff:7f00:1]/",
    "ftp://127.0.0.1/",
    "not a url",
  ]) {
    expect(() => assertLoopback(url)).toThrow();
  }
});
