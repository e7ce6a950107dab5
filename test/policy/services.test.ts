import { expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { ConfigError } from "../../src/errors.ts";
import { lookupService, parseServices } from "../../src/policy/services.ts";

test("parseServices reads names, aliases and ports; first entry wins", () => {
  const t = parseServices("# comment\nhttp\t80/tcp www # web\nhttp 8080/udp\n\nbogus\nfoo 99999/tcp\nnetbios-ns 137/udp\n");
  expect(t.get("http")).toBe(80);
  expect(t.get("www")).toBe(80);
  expect(t.get("netbios-ns")).toBe(137);
  expect(t.has("bogus")).toBe(false);
  expect(t.has("foo")).toBe(false);
});

test.skipIf(!existsSync("/etc/services"))("lookupService uses /etc/services", () => {
  expect(lookupService("ssh")).toBe(22);
  expect(() => lookupService("no-such-service-xyz")).toThrow(/unknown service name `no-such-service-xyz'/);
});

test("a missing services file makes every name fail, saying why", () => {
  let err: unknown;
  try {
    lookupService("http", "/nonexistent/services");
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ConfigError);
  expect((err as Error).message).toMatch(/unknown service name `http': cannot read \/nonexistent\/services/);
});
