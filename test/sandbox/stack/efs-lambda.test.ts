/** The stack file's `efs:` and `lambdas:` sections: wordpress.yaml loads, and mistakes are located. */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadStack, parseStack, StackError } from "../../../src/sandbox/stack/load.js";
import { wordpressOf } from "../../../src/sandbox/stack/lambda.js";

const fixtures = join(import.meta.dirname, "../../../fixtures/stacks");

function problems(yaml: string): string[] {
  try {
    parseStack(yaml, "s.yaml");
  } catch (err) {
    expect(err).toBeInstanceOf(StackError);
    return (err as StackError).problems;
  }
  throw new Error("expected the stack to be rejected");
}

const base = (efs: string, lambdas: string) => `availabilityZones: [us-east-1a]
efs:
  fileSystems:
${efs}
lambdas:
  functions:
${lambdas}
`;

describe("stack efs: and lambdas:", () => {
  it("wordpress.yaml: a 1,024 MB, 30 s function mounting the bursting file system's access point at /mnt/root", () => {
    const stack = loadStack(join(fixtures, "wordpress.yaml"));
    expect(stack.efs!.fileSystems[0]).toMatchObject({ name: "wordpress", performanceMode: "generalPurpose", throughputMode: "bursting" });
    expect(stack.lambdas!.functions[0]).toMatchObject({ name: "wordpress", memoryMB: 1024, timeout: 30_000, efs: { mountPath: "/mnt/root" } });
    expect(stack.lambdas!.accountConcurrency).toBe(1000);
  });

  it("wordpress.yaml runs the WordPress model with the seed's php.ini (revalidate_freq 60); the untuned variant checks timestamps on every request", () => {
    const php = (file: string) => {
      return wordpressOf(loadStack(join(fixtures, file)).lambdas!.functions[0]!.workload)?.php;
    };
    expect(php("wordpress.yaml")).toMatchObject({ "opcache.enable": true, "opcache.validate_timestamps": true, "opcache.revalidate_freq": 60 });
    expect(php("wordpress-untuned-opcache.yaml")).toMatchObject({ "opcache.enable": true, "opcache.validate_timestamps": true, "opcache.revalidate_freq": 0 });
  });

  it("the wordpress workload: a function without an EFS mount, a misspelt php.ini key and a bad size are located", () => {
    const out = problems(
      base(
        "    - { name: wp, sizeGiB: 1, accessPoints: [{ name: root, path: /wp }] }",
        "    - { name: fn, workload: { wordpress: { php: { opcache.revalidate_frequency: 60, realpath_cache_size: 4 MB } } } }",
      ),
    );
    expect(out.join("\n")).toMatch(/s\.yaml:7:\d+: lambdas\.functions\[0\]\.workload\.wordpress\.php\["opcache\.revalidate_frequency"\]: expected one of `opcache\.enable`, `opcache\.validate_timestamps`, `opcache\.revalidate_freq`, .* found the unknown key `opcache\.revalidate_frequency`/);
    expect(out.join("\n")).toMatch(/lambdas\.functions\[0\]\.workload\.wordpress\.php\.realpath_cache_size: expected a size in php\.ini's form, such as "4096K", "16M" or a number of bytes, found "4 MB"/);
    const noMount = problems(base("    - { name: wp, sizeGiB: 1, accessPoints: [{ name: root, path: /wp }] }", "    - { name: fn, workload: { wordpress: {} } }"));
    expect(noMount).toEqual([expect.stringMatching(/^s\.yaml:7:\d+: lambdas\.functions\[0\]\.workload\.wordpress: expected the function to mount EFS/)]);
  });

  it("names the line and field of a provisioned file system without its throughput, and of an unknown access point", () => {
    const out = problems(
      base(
        "    - { name: wp, sizeGiB: 1, throughputMode: provisioned, accessPoints: [{ name: root, path: /wp }] }",
        "    - { name: fn, efs: { fileSystem: wp, accessPoint: root, mountPath: /mnt/root } }",
      ),
    );
    expect(out).toEqual([
      expect.stringMatching(/^s\.yaml:4:\d+: efs\.fileSystems\[0\]\.provisionedThroughputMiBps: expected provisionedThroughputMiBps for throughputMode provisioned, found none$/),
    ]);
    const ap = problems(base("    - { name: wp, sizeGiB: 1, accessPoints: [{ name: root, path: /wp }] }", "    - { name: fn, efs: { fileSystem: wp, accessPoint: rot, mountPath: /mnt/root } }"));
    expect(ap).toEqual([expect.stringMatching(/^s\.yaml:7:\d+: lambdas\.functions\[0\]\.efs\.accessPoint: expected one of file system "wp"'s access points "root", found "rot"$/)]);
  });

  it("a mount path outside /mnt/ and a timeout over 900 s are refused with what Lambda accepts", () => {
    const out = problems(base("    - { name: wp, sizeGiB: 1, accessPoints: [{ name: root, path: /wp }] }", "    - { name: fn, timeout: PT16M, efs: { fileSystem: wp, accessPoint: root, mountPath: /var/www } }"));
    expect(out.join("\n")).toMatch(/lambdas\.functions\[0\]\.timeout: expected a timeout from 1 s to 900 s/);
    expect(out.join("\n")).toMatch(/lambdas\.functions\[0\]\.efs\.mountPath: expected a LocalMountPath under \/mnt\//);
  });
});
