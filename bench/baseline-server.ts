/**
 * The yardstick: a bare Bun.serve answering 302 from a Map, with the same native route ringlink
 * uses for redirects. Whatever ringlink does beyond this is what the ratio measures.
 * Usage: bun bench/baseline-server.ts PORT CODES_JSON
 */
const [port, file] = process.argv.slice(2);
const links = new Map<string, string>(Object.entries(await Bun.file(file!).json()));
Bun.serve({
  port: Number(port),
  hostname: "127.0.0.1",
  routes: {
    "/:code": (req) => {
      const url = links.get(req.params.code);
      return url ? new Response(null, { status: 302, headers: { location: url } }) : new Response("not found", { status: 404 });
    },
  },
  fetch: () => new Response("not found", { status: 404 }),
});
console.log(`baseline listening on ${port}`);
export {};
