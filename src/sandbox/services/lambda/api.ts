/**
 * Lambda's restJson1 API (API version 2015-03-31) as @aws-sdk/client-lambda calls it: Invoke
 * (RequestResponse, Event, DryRun), GetFunction, GetFunctionConfiguration, ListFunctions, and
 * reserved concurrency (Put/Get/DeleteFunctionConcurrency).
 */
import { RestReply, type RestService } from "../../protocol/dispatcher.js";
import { AwsServiceError } from "../../protocol/types.js";
import { invalidParameterValue } from "./errors.js";
import type { Kernel } from "../../kernel.js";
import type { LambdaService, SandboxFunction } from "./service.js";
import { DEFAULT_VPC_ID } from "../network/subnets.js";

export function lambdaApi(kernel: Kernel, lambda: LambdaService): RestService {
  const configuration = (fn: SandboxFunction) => ({
    FunctionName: fn.spec.name,
    FunctionArn: fn.arn,
    Runtime: "provided.al2023",
    Handler: "handler.php",
    MemorySize: fn.spec.memoryMB,
    Timeout: Math.round(fn.spec.timeout / 1000),
    Version: "$LATEST",
    State: "Active",
    LastUpdateStatus: "Successful",
    PackageType: "Zip",
    Architectures: ["x86_64"],
    LastModified: "2020-11-25T00:00:00.000+0000",
    ...(fn.spec.efs && fn.accessPointArn ? { FileSystemConfigs: [{ Arn: fn.accessPointArn, LocalMountPath: fn.spec.efs.mountPath }] } : {}),
    // A function that mounts EFS must be in a VPC (configuration-filesystem.html).
    ...(lambda.vpcSubnets.length > 0 ? { VpcConfig: { SubnetIds: [...lambda.vpcSubnets], SecurityGroupIds: ["sg-0sandboxlambda"], VpcId: DEFAULT_VPC_ID } } : {}),
  });
  return {
    name: "lambda",
    routes: [
      {
        method: "POST",
        path: "/2015-03-31/functions/{FunctionName}/invocations",
        operation: "Invoke",
        handler: ({ params, body, headers }) => {
          const type = headers["x-amz-invocation-type"] ?? "RequestResponse";
          if (type === "DryRun") {
            lambda.get(params.FunctionName!);
            return new RestReply(null, {}, 204);
          }
          if (type === "Event") {
            lambda.get(params.FunctionName!);
            // Queued and run in the background; its outcome shows only in the metrics.
            void lambda.invoke(params.FunctionName!, body).catch(() => undefined);
            return new RestReply(null, {}, 202);
          }
          if (type !== "RequestResponse") throw new AwsServiceError("InvalidParameterValueException", `expected X-Amz-Invocation-Type RequestResponse, Event or DryRun, found "${type}"`, 400);
          return invoke(lambda, params.FunctionName!, body);
        },
      },
      { method: "GET", path: "/2015-03-31/functions/{FunctionName}/configuration", operation: "GetFunctionConfiguration", handler: ({ params }) => configuration(lambda.get(params.FunctionName!)) },
      {
        method: "GET",
        path: "/2015-03-31/functions/{FunctionName}",
        operation: "GetFunction",
        handler: ({ params }) => {
          const fn = lambda.get(params.FunctionName!);
          return {
            Configuration: configuration(fn),
            Code: { RepositoryType: "S3", Location: `https://awslambda-${kernel.region}-tasks.s3.${kernel.region}.amazonaws.com/snapshots/${kernel.accountId}/${fn.spec.name}` },
            ...(fn.reserved !== undefined ? { Concurrency: { ReservedConcurrentExecutions: fn.reserved } } : {}),
          };
        },
      },
      // Reserved concurrency (API_PutFunctionConcurrency.html, API_GetFunctionConcurrency.html, API_DeleteFunctionConcurrency.html).
      {
        method: "PUT",
        path: "/2017-10-31/functions/{FunctionName}/concurrency",
        operation: "PutFunctionConcurrency",
        handler: ({ params, body }) => {
          const value = (body as { ReservedConcurrentExecutions?: unknown }).ReservedConcurrentExecutions;
          if (typeof value !== "number") throw invalidParameterValue(`ReservedConcurrentExecutions: expected a number, found ${JSON.stringify(value)}`);
          lambda.setReservedConcurrency(params.FunctionName!, value);
          return { ReservedConcurrentExecutions: value };
        },
      },
      {
        method: "GET",
        path: "/2019-09-30/functions/{FunctionName}/concurrency",
        operation: "GetFunctionConcurrency",
        handler: ({ params }) => {
          const reserved = lambda.get(params.FunctionName!).reserved;
          return reserved === undefined ? {} : { ReservedConcurrentExecutions: reserved };
        },
      },
      {
        method: "DELETE",
        path: "/2017-10-31/functions/{FunctionName}/concurrency",
        operation: "DeleteFunctionConcurrency",
        handler: ({ params }) => {
          lambda.setReservedConcurrency(params.FunctionName!, undefined);
          return new RestReply(null, {}, 204);
        },
      },
      { method: "GET", path: "/2015-03-31/functions", operation: "ListFunctions", handler: () => ({ Functions: [...lambda.functions.values()].map(configuration) }) },
    ],
  };
}

async function invoke(lambda: LambdaService, name: string, event: unknown): Promise<RestReply> {
  const result = await lambda.invoke(name, event);
  return new RestReply(result.payload, { "x-amz-executed-version": "$LATEST", ...(result.functionError ? { "x-amz-function-error": result.functionError } : {}) });
}

