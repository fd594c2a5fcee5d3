/**
 * IAM (awsQuery), read-only: GetRole and SimulatePrincipalPolicy over the sandbox's roles, so a
 * plan can check the FIS role as it would on AWS. The sandbox models no policies: a role it knows
 * is allowed every action (EvalDecision "allowed"); a role it does not know is NoSuchEntity, as in IAM.
 */
import { AwsServiceError } from "../../protocol/types.js";
import { inputStrings, type QueryService } from "../../protocol/query.js";
import type { RoleDirectory } from "./roles.js";

export const IAM_API_VERSION = "2010-05-08";

export function iamApi(roles: RoleDirectory): QueryService {
  const roleNamed = (name: string) => {
    const role = roles.byName(name);
    if (!role) throw new AwsServiceError("NoSuchEntity", `The role with name ${name} cannot be found.`, 404);
    return role;
  };
  return {
    name: "iam",
    version: IAM_API_VERSION,
    style: "awsQuery",
    xmlns: `https://iam.amazonaws.com/doc/${IAM_API_VERSION}/`,
    operations: {
      GetRole: (input) => {
        const role = roleNamed(String(input.RoleName ?? ""));
        return { Role: { Path: "/", RoleName: role.name, RoleId: `AROA${role.name.toUpperCase().replace(/[^A-Z0-9]/g, "").slice(0, 17)}`, Arn: role.arn, CreateDate: "2020-11-25T00:00:00Z", Tags: Object.entries(role.tags).map(([Key, Value]) => ({ Key, Value })) } };
      },
      SimulatePrincipalPolicy: (input) => {
        const source = String(input.PolicySourceArn ?? "");
        const m = /^arn:aws:iam::\d{12}:role\/(?:.*\/)?([\w+=,.@-]+)$/.exec(source);
        if (!m) throw new AwsServiceError("InvalidInput", `Invalid ARN: ${source}. The sandbox simulates roles only.`);
        roleNamed(m[1]!);
        const actions = inputStrings(input.ActionNames);
        if (actions.length === 0) throw new AwsServiceError("InvalidInput", "1 validation error detected: Value null at 'actionNames' failed to satisfy constraint: Member must not be null");
        const resources = inputStrings(input.ResourceArns);
        return {
          EvaluationResults: actions.map((action) => ({ EvalActionName: action, EvalResourceName: resources[0] ?? "*", EvalDecision: "allowed", MatchedStatements: [], MissingContextValues: [] })),
          IsTruncated: false,
        };
      },
    },
  };
}
