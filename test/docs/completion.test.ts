/**
 * The bash completion, sourced in a real bash: options, subcommands, profile
 * names, and magic keys with their values (generated from the schema).
 */
import { describe, expect, test } from "bun:test";
import { SCHEMA } from "../../src/config/schema";
import { generatedFiles } from "../../scripts/generate";

const SCRIPT = generatedFiles()["bash-completion/completions/sydbox"]!;

/**
 * What bash would offer for each command line (completing at its end): each line's
 * replies, in order. COMP_WORDBREAKS is bash's default, which splits words at `:'
 * and `='.
 */
function complete(lines: string[]): string[][] {
  const driver = `${SCRIPT}
_sydbox_test() {
    COMP_LINE=$1; COMP_POINT=\${#COMP_LINE}; COMPREPLY=()
    _sydbox
    printf '%s\\n' "\${COMPREPLY[@]}" | sort; echo '--end--'
}
${lines.map((l) => `_sydbox_test '${l.replace(/'/g, `'\\''`)}'`).join("\n")}
`;
  const p = Bun.spawnSync(["bash", "--norc", "--noprofile", "-c", driver], { stdout: "pipe", stderr: "pipe", env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: "/nonexistent" } });
  expect(p.stderr.toString()).toBe("");
  expect(p.exitCode).toBe(0);
  const out = p.stdout.toString().split("--end--\n");
  return out.slice(0, lines.length).map((block) => block.split("\n").filter((l) => l !== ""));
}

describe("bash completion", () => {
  test("options, subcommands and their words", () => {
    const [dry, sub, config, summary, summaryEq, to, learnOpts, fmt] = complete([
      "sydbox --dr", "sydbox con", "sydbox config ", "sydbox --summary ", "sydbox --summary=j",
      "sydbox config convert @paludis --to ", "sydbox learn --fo", "sydbox fmt ",
    ]);
    expect(dry).toEqual(["--dry-run"]);
    expect(sub).toEqual(["config"]);
    expect(config).toEqual(["check", "convert", "show"]);
    expect(summary).toEqual(["json", "off", "text"]);
    expect(summaryEq).toEqual(["json"]);
    expect(to).toEqual(["syd-2", "toml"]);
    expect(learnOpts).toEqual(["--fold"]);
    expect(fmt).toEqual(["exec"]);
  });

  test("profile names after --profile and -c @", () => {
    const [profile, at] = complete(["sydbox --profile pal", "sydbox -c @f"]);
    expect(profile).toEqual(["paludis"]);
    expect(at).toEqual(["@firefox"]);
  });

  test("magic keys and their values after -m, across bash's split at `:'", () => {
    const [keys, value, list] = complete(["sydbox -m core/sandbox/wr", "sydbox -m core/sandbox/write:d", "sydbox -m allowlist/wr"]);
    expect(keys).toEqual(["core/sandbox/write:allow", "core/sandbox/write:bpf", "core/sandbox/write:deny", "core/sandbox/write:off"]);
    expect(value).toEqual(["deny"]);
    expect(list).toEqual(["allowlist/write+", "allowlist/write-"]);
  });

  test("every settable schema key is offered after -m", () => {
    const [all] = complete(["sydbox -m "]);
    const offered = new Set(all!.map((c) => c.replace(/[:+-][^/]*$/, "")));
    for (const def of SCHEMA) if (def.type !== "command") expect(offered).toContain(def.key);
  });

  test("sydfmt completes as sydbox fmt", () => {
    const [sub, cmd] = complete(["sydfmt ", "sydfmt exec -- tru"]);
    expect(sub).toEqual(["exec"]);
    expect(cmd).toContain("true");
  });

  test("after -- a command, then files", () => {
    const [cmd] = complete(["sydbox --profile paludis -- tru"]);
    expect(cmd).toContain("true");
  });
});
