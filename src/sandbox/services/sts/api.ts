/**
 * STS (awsQuery) GetCallerIdentity: the account the sandbox stands for and the role the request's
 * access key belongs to (iam/roles.ts), as an assumed-role identity. It is how a client pointed at
 * a served sandbox learns its account, exactly as on AWS.
 */
import type { QueryService } from "../../protocol/query.js";
import type { Kernel } from "../../kernel.js";
import type { RoleDirectory } from "../iam/roles.js";

export const STS_API_VERSION = "2011-06-15";

export function stsApi(kernel: Kernel, roles: RoleDirectory): QueryService {
  return {
    name: "sts",
    version: STS_API_VERSION,
    style: "awsQuery",
    xmlns: `https://sts.amazonaws.com/doc/${STS_API_VERSION}/`,
    operations: {
      GetCallerIdentity: (_input, request) => {
        const role = roles.roleOf(request.headers);
        return {
          UserId: `AROA${kernel.accountId}GAMEDAY:gameday`,
          Account: kernel.accountId,
          Arn: `arn:aws:sts::${kernel.accountId}:assumed-role/${role.name}/gameday`,
        };
      },
    },
  };
}
