/**
 * EFS and Lambda for a stack that has neither: AWS answers an account without file systems or
 * functions with empty lists and its own not-found errors, not with an unknown operation. A probe,
 * a fault's target lookup or `aws efs describe-file-systems` then sees what it would see on AWS
 * ("found no file systems", exit 4) instead of a sandbox routing error. The full services (and
 * their modules) load only for stacks that declare them; these few routes are what is left.
 */
import type { Kernel } from "../kernel.js";
import type { RestService } from "../protocol/dispatcher.js";
import { AwsServiceError } from "../protocol/types.js";
import { resourceNotFound } from "./lambda/errors.js";

const EFS = "/2015-02-01";

/** EFS with no file systems. */
export function absentEfsApi(): RestService {
  const noFileSystem = (id: string | undefined) => new AwsServiceError("FileSystemNotFound", `File system '${id ?? ""}' does not exist.`, 404);
  return {
    name: "efs",
    routes: [
      {
        method: "GET",
        path: `${EFS}/file-systems`,
        operation: "DescribeFileSystems",
        handler: ({ query }) => {
          if (query.FileSystemId !== undefined) throw noFileSystem(query.FileSystemId);
          return { FileSystems: [] };
        },
      },
      {
        method: "GET",
        path: `${EFS}/mount-targets`,
        operation: "DescribeMountTargets",
        handler: ({ query }) => {
          if (query.MountTargetId !== undefined) throw new AwsServiceError("MountTargetNotFound", `Mount target '${query.MountTargetId}' does not exist.`, 404);
          if (query.AccessPointId !== undefined) throw new AwsServiceError("AccessPointNotFound", `Access point '${query.AccessPointId}' does not exist.`, 404);
          throw noFileSystem(query.FileSystemId);
        },
      },
      {
        method: "GET",
        path: `${EFS}/access-points`,
        operation: "DescribeAccessPoints",
        handler: ({ query }) => {
          if (query.FileSystemId !== undefined) throw noFileSystem(query.FileSystemId);
          return { AccessPoints: [] };
        },
      },
      {
        method: "PUT",
        path: `${EFS}/file-systems/{FileSystemId}`,
        operation: "UpdateFileSystem",
        handler: ({ params }) => {
          throw noFileSystem(params.FileSystemId);
        },
      },
    ],
  };
}

/** Lambda with no functions. */
export function absentLambdaApi(kernel: Kernel): RestService {
  const missing = (operation: string, method: string, path: string) => ({
    method,
    path,
    operation,
    handler: ({ params }: { params: Record<string, string> }): never => {
      throw resourceNotFound(`Function not found: ${kernel.arn("lambda", `function:${params.FunctionName ?? ""}`)}`);
    },
  });
  return {
    name: "lambda",
    routes: [
      { method: "GET", path: "/2015-03-31/functions", operation: "ListFunctions", handler: () => ({ Functions: [] }) },
      missing("Invoke", "POST", "/2015-03-31/functions/{FunctionName}/invocations"),
      missing("GetFunctionConfiguration", "GET", "/2015-03-31/functions/{FunctionName}/configuration"),
      missing("GetFunction", "GET", "/2015-03-31/functions/{FunctionName}"),
      missing("PutFunctionConcurrency", "PUT", "/2017-10-31/functions/{FunctionName}/concurrency"),
      missing("GetFunctionConcurrency", "GET", "/2019-09-30/functions/{FunctionName}/concurrency"),
      missing("DeleteFunctionConcurrency", "DELETE", "/2017-10-31/functions/{FunctionName}/concurrency"),
    ],
  };
}
