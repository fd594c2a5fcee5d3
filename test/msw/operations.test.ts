/**
 * Every AWS operation the toolkit calls has recorded responses (fixtures/aws/), and each of them is
 * read by the pinned SDK client exactly as built for `--target aws`: successes parse into the
 * documented output, errors become the named exception. A Command added to src/ or probes/ without
 * a fixture fails the coverage check below, naming it.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { allFixtures, AwsScenario, awsServer, type Fixture } from "./aws-handlers.js";
import { awsClients, awsEnv } from "./env.js";

const server = awsServer({ beforeAll, afterEach, afterAll });
const REPO = new URL("../../", import.meta.url).pathname;

afterEach(() => vi.unstubAllEnvs());

/** src/aws/sdk/<file>.js wraps @aws-sdk/client-<package>; where the two names differ. */
const SDK_WRAPPER: Readonly<Record<string, string>> = { elbv2: "elastic-load-balancing-v2", autoscaling: "auto-scaling" };

/** Each `new XCommand(` in src/ (but the sandbox, which answers them) and probes/, with the client package it comes from. */
function commandsInSource(): { service: string; operation: string; file: string }[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) {
        if (path !== join(REPO, "src/sandbox")) walk(path);
      } else if (name.endsWith(".ts")) files.push(path);
    }
  };
  walk(join(REPO, "src"));
  walk(join(REPO, "probes"));
  const out: { service: string; operation: string; file: string }[] = [];
  for (const file of files) {
    const text = readFileSync(file, "utf8");
    // Straight from the package, or through src/aws/sdk/<name>.js (which loads it with require).
    const clients = [
      ...text.matchAll(/import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*"@aws-sdk\/client-([\w-]+)"/g),
      ...[...text.matchAll(/import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*"(?:[^"]*\/aws\/sdk|\.\/sdk)\/([\w-]+)\.js"/g)].map((m) => [m[0], m[1], SDK_WRAPPER[m[2]!] ?? m[2]] as const),
    ];
    for (const m of text.matchAll(/new ([A-Z][A-Za-z0-9]+)Command\(/g)) {
      const from = clients.find((c) => new RegExp(`\\b${m[1]}Command\\b`).test(c[1]!))?.[2] ?? "(dynamic import)";
      // aws-guard.ts imports its client dynamically: `await import("@aws-sdk/client-sts")`.
      // Or through src/aws/sdk/<name>.js, or require (the handlers and the shipper, which stand alone).
      const found = /await import\("(?:@aws-sdk\/client-|[^"]*\/sdk\/)([\w-]+)(?:\.js)?"\)|[rR]equire\(import\.meta\.url\)\("@aws-sdk\/client-([\w-]+)"\)|require\("@aws-sdk\/client-([\w-]+)"\)/.exec(text);
      const dynamic = found ? (SDK_WRAPPER[(found[1] ?? found[2] ?? found[3])!] ?? found[1] ?? found[2] ?? found[3]) : undefined;
      out.push({ service: from === "(dynamic import)" && dynamic ? dynamic : from, operation: m[1]!, file: file.slice(REPO.length) });
    }
  }
  return out;
}

/** Minimal valid input per operation: enough for the protocol to serialise (path ids, required members). */
const INPUT: Readonly<Record<string, Record<string, unknown>>> = {
  "fis:CreateExperimentTemplate": { clientToken: "t", description: "d", roleArn: "arn:aws:iam::111122223333:role/gameday-fis", stopConditions: [{ source: "none" }], actions: {} },
  "fis:StartExperiment": { clientToken: "t", experimentTemplateId: "EXT4a5b6c7d8e9f0a1b" },
  "fis:GetExperiment": { id: "EXPa1b2c3d4e5f6a7b8c" },
  "fis:StopExperiment": { id: "EXPa1b2c3d4e5f6a7b8c" },
  "fis:ListExperimentResolvedTargets": { experimentId: "EXPa1b2c3d4e5f6a7b8c" },
  "fis:DeleteExperimentTemplate": { id: "EXT4a5b6c7d8e9f0a1b" },
  "ecs:DescribeContainerInstances": { cluster: "prod", containerInstances: ["x"] },
  "ecs:UpdateContainerInstancesState": { cluster: "prod", containerInstances: ["x"], status: "DRAINING" },
  "ecs:DescribeTasks": { cluster: "prod", tasks: ["x"] },
  "lambda:GetFunction": { FunctionName: "wordpress" },
  "lambda:GetFunctionConcurrency": { FunctionName: "wordpress" },
  "lambda:PutFunctionConcurrency": { FunctionName: "wordpress", ReservedConcurrentExecutions: 0 },
  "lambda:DeleteFunctionConcurrency": { FunctionName: "wordpress" },
  "ecs:DescribeServices": { cluster: "prod", services: ["web"] },
  "kinesis:PutRecords": { StreamName: "app-logs", Records: [{ Data: new Uint8Array([1]), PartitionKey: "p" }] },
  "kinesis:ListShards": { StreamName: "app-logs" },
  "kinesis:GetShardIterator": { StreamName: "app-logs", ShardId: "shardId-000000000000", ShardIteratorType: "TRIM_HORIZON" },
  "kinesis:GetRecords": { ShardIterator: "AAAA" },
  "cloudwatch:GetMetricData": { MetricDataQueries: [{ Id: "c0", Expression: "1" }], StartTime: new Date(0), EndTime: new Date(60_000) },
  "cloudwatch:PutMetricData": { Namespace: "Gameday/Test", MetricData: [{ MetricName: "m", Value: 1 }] },
  "cloudwatch:PutMetricAlarm": { AlarmName: "a", EvaluationPeriods: 1, ComparisonOperator: "GreaterThanThreshold" },
  "cloudwatch:DeleteAlarms": { AlarmNames: ["a"] },
  "kinesis:DescribeStreamSummary": { StreamName: "app-logs" },
  "ec2:DescribeInstanceAttribute": { InstanceId: "i-0a1b2c3d4e5f60001", Attribute: "userData" },
  "iam:SimulatePrincipalPolicy": { PolicySourceArn: "arn:aws:iam::111122223333:role/gameday-fis", ActionNames: ["ec2:SendSpotInstanceInterruptions"] },
  "iam:GetRole": { RoleName: "gameday-fis" },
  "elastic-load-balancing-v2:DescribeTargetGroupAttributes": { TargetGroupArn: "arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/web/6d0ecf831eec9f09" },
  "elastic-load-balancing-v2:DescribeTargetHealth": { TargetGroupArn: "arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/web/6d0ecf831eec9f09" },
  "eventbridge:ListTargetsByRule": { Rule: "spot-drain" },
  "eventbridge:TestEventPattern": { EventPattern: "{}", Event: "{}" },
  "ecs:UpdateService": { cluster: "prod", service: "web", taskDefinition: "web:2" },
  "auto-scaling:SetDesiredCapacity": { AutoScalingGroupName: "prod-ecs", DesiredCapacity: 2 },
  "auto-scaling:TerminateInstanceInAutoScalingGroup": { InstanceId: "i-0a1b2c3d4e5f60002", ShouldDecrementDesiredCapacity: true },
  "auto-scaling:CompleteLifecycleAction": { AutoScalingGroupName: "prod-ecs", LifecycleHookName: "drain-ecs", InstanceId: "i-0a1b2c3d4e5f60002", LifecycleActionResult: "CONTINUE" },
  "auto-scaling:RecordLifecycleActionHeartbeat": { AutoScalingGroupName: "prod-ecs", LifecycleHookName: "drain-ecs", InstanceId: "i-0a1b2c3d4e5f60002" },
  "auto-scaling:DescribeLifecycleHooks": { AutoScalingGroupName: "prod-ecs" },
  "fis:GetAction": { id: "gameday:efs:nfs-latency" },
  "efs:DescribeMountTargets": { FileSystemId: "fs-0123456789abcdef0" },
  "efs:UpdateFileSystem": { FileSystemId: "fs-0123456789abcdef0", ThroughputMode: "provisioned", ProvisionedThroughputInMibps: 1 },
  "sns:Publish": { TopicArn: "arn:aws:sns:us-east-1:111122223333:prod-ecs-lifecycle", Message: "{}" },
};

/** The AwsClients method that builds each service's client, where it is not the fixtures folder's name. */
const CLIENT_METHOD: Readonly<Record<string, string>> = { "elastic-load-balancing-v2": "elbv2", eventbridge: "events", "auto-scaling": "autoScaling" };

const xmlValues = (xml: string, tag: string) => [...xml.matchAll(new RegExp(`<${tag}>([^<]*)</${tag}>`, "g"))].map((m) => m[1]!);

/** XML answers (awsQuery, ec2Query): the output member the client must read, against the values in the recorded XML. */
const XML_OUTPUT: Readonly<Record<string, (out: any, xml: string) => void>> = {
  "sts:GetCallerIdentity": (out, xml) => expect(out.Account).toBe(xmlValues(xml, "Account")[0]),
  "ec2:DescribeInstances": (out, xml) => {
    expect(out.Reservations.flatMap((r: any) => r.Instances.map((i: any) => i.InstanceId))).toEqual(xmlValues(xml, "instanceId"));
    expect(out.NextToken).toBe(xmlValues(xml, "nextToken")[0]);
  },
  "ec2:DescribeInstanceAttribute": (out, xml) => expect(out.UserData.Value).toBe(xmlValues(xml, "value")[0]),
  "elastic-load-balancing-v2:DescribeLoadBalancers": (out, xml) => expect(out.LoadBalancers.map((l: any) => l.LoadBalancerArn)).toEqual(xmlValues(xml, "LoadBalancerArn")),
  "elastic-load-balancing-v2:DescribeTargetGroups": (out, xml) => expect(out.TargetGroups.map((t: any) => t.TargetGroupArn)).toEqual(xmlValues(xml, "TargetGroupArn")),
  "elastic-load-balancing-v2:DescribeTargetGroupAttributes": (out, xml) =>
    expect(out.Attributes.map((a: any) => [a.Key, a.Value])).toEqual(xmlValues(xml, "Key").map((k, i) => [k, xmlValues(xml, "Value")[i]])),
  "elastic-load-balancing-v2:DescribeTargetHealth": (out, xml) => expect(out.TargetHealthDescriptions.map((t: any) => t.TargetHealth.State)).toEqual(xmlValues(xml, "State")),
  "auto-scaling:DescribeAutoScalingGroups": (out, xml) =>
    expect(out.AutoScalingGroups.flatMap((g: any) => g.Instances.map((i: any) => [i.InstanceId, i.LifecycleState]))).toEqual(xmlValues(xml, "InstanceId").map((id, i) => [id, xmlValues(xml, "LifecycleState")[i]])),
  "auto-scaling:DescribeAutoScalingInstances": (out, xml) => expect(out.AutoScalingInstances.map((i: any) => i.LifecycleState)).toEqual(xmlValues(xml, "LifecycleState")),
  "auto-scaling:DescribeLifecycleHooks": (out, xml) =>
    expect(out.LifecycleHooks.map((h: any) => [h.HeartbeatTimeout, h.GlobalTimeout, h.DefaultResult])).toEqual([[Number(xmlValues(xml, "HeartbeatTimeout")[0]), Number(xmlValues(xml, "GlobalTimeout")[0]), xmlValues(xml, "DefaultResult")[0]]]),
  "auto-scaling:TerminateInstanceInAutoScalingGroup": (out, xml) => expect(out.Activity.StatusCode).toBe(xmlValues(xml, "StatusCode")[0]),
  // Calls that answer nothing but their request id (checked below for every fixture).
  "auto-scaling:SetDesiredCapacity": (out) => expect(Object.keys(out).filter((k) => k !== "$metadata")).toEqual([]),
  "auto-scaling:CompleteLifecycleAction": (out) => expect(Object.keys(out).filter((k) => k !== "$metadata")).toEqual([]),
  "auto-scaling:RecordLifecycleActionHeartbeat": (out) => expect(Object.keys(out).filter((k) => k !== "$metadata")).toEqual([]),
  "sns:Publish": (out, xml) => expect(out.MessageId).toBe(xmlValues(xml, "MessageId")[0]),
  "iam:SimulatePrincipalPolicy": (out, xml) =>
    expect(out.EvaluationResults.map((r: any) => [r.EvalActionName, r.EvalDecision])).toEqual(xmlValues(xml, "EvalActionName").map((a, i) => [a, xmlValues(xml, "EvalDecision")[i]])),
};

/** The error name the SDK gives a recorded error (the wire code, or the modelled exception it maps to). */
function errorCode(f: Fixture): string {
  const h = Object.fromEntries(Object.entries(f.response.headers).map(([k, v]) => [k.toLowerCase(), v]));
  if (h["x-amzn-query-error"]) return h["x-amzn-query-error"].split(";")[0]!;
  if (h["x-amzn-errortype"]) return h["x-amzn-errortype"].split(":")[0]!;
  if (typeof f.response.body === "string") return /<Code>([^<]+)<\/Code>/.exec(f.response.body)![1]!;
  return String((f.response.body as { __type: string }).__type).replace(/^.*#/, "");
}

/** Modelled exceptions whose class name differs from the code on the wire. */
const MODELLED_NAME: Readonly<Record<string, string>> = { "elastic-load-balancing-v2:TargetGroupNotFound": "TargetGroupNotFoundException", "cloudwatch:LimitExceeded": "LimitExceededFault", "cloudwatch:InternalServiceError": "InternalServiceFault", "iam:NoSuchEntity": "NoSuchEntityException" };

describe("recorded AWS responses", () => {
  it("exist for every AWS call in src/ and probes/ (a new Command needs fixtures/aws/<service>/<Operation>.<case>.json)", () => {
    const have = new Set(allFixtures().map((f) => `${f.service}:${f.operation}`));
    const commands = commandsInSource();
    expect(commands.length).toBeGreaterThan(20);
    const missing = [...new Set(commands.filter((c) => !have.has(`${c.service}:${c.operation}`)).map((c) => `${c.service}:${c.operation} (${c.file})`))];
    expect(missing).toEqual([]);
  });

  it("each name a source, a wire status and a request id", () => {
    for (const f of allFixtures()) {
      expect(f.source, `${f.service}/${f.operation}.${f.case}`).toMatch(/https:\/\/docs\.aws\.amazon\.com\/|botocore\//);
      expect(f.response.status).toBeGreaterThanOrEqual(200);
      expect(Object.keys(f.response.headers).map((k) => k.toLowerCase())).toContain("x-amzn-requestid");
    }
  });

  const cases = allFixtures().map((f) => [`${f.service}:${f.operation}.${f.case}`, f] as const);
  it.each(cases)("%s is read by the pinned client as AWS means it", async (_, f) => {
    awsEnv();
    const aws = new AwsScenario(server).reply(f.service, f.operation, f.case);
    const clients = awsClients();
    try {
      const sdk = (await import(`@aws-sdk/client-${f.service}`)) as Record<string, new (input: unknown) => unknown>;
      const client = await (clients as any)[CLIENT_METHOD[f.service] ?? f.service]();
      const command = new sdk[`${f.operation}Command`]!(INPUT[`${f.service}:${f.operation}`] ?? {});
      const sent = client.send(command);
      if (f.response.status >= 300) {
        const code = errorCode(f);
        await expect(sent).rejects.toMatchObject({ name: MODELLED_NAME[`${f.service}:${code}`] ?? code, $metadata: { httpStatusCode: f.response.status } });
      } else {
        const out = (await sent) as Record<string, unknown>;
        if (typeof f.response.body === "string") {
          const check = XML_OUTPUT[`${f.service}:${f.operation}`];
          expect(check, `XML_OUTPUT has no check for ${f.service}:${f.operation}`).toBeDefined();
          check!(out, f.response.body);
        }
        else for (const key of Object.keys((f.response.body ?? {}) as object)) expect(out, key).toHaveProperty(key);
        expect(out.$metadata).toMatchObject({ httpStatusCode: f.response.status, requestId: f.response.headers["x-amzn-RequestId"] });
      }
      // The request was the one recorded: right host and operation, signed.
      const call = aws.callsTo(f.service, f.operation)[0]!;
      expect(call.region).toBe("us-east-1");
      if (f.request.path) expect(call.method).toBe(f.request.method);
      expect(aws.unhandled).toEqual([]);
      client.destroy?.();
    } finally {
      await clients.destroy();
    }
  });
});
